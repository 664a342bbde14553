// A light English stemmer: folds the inflections that split one word into several terms
// (plurals, -ing, -ed, -ly, a final -e), never derivations ("recursion" and "recursive" stay
// apart). Stems need not be words, only the same for the forms of one word: "make", "makes",
// "making" → "mak"; "running", "runs" → "run"; "stories", "story" → "stori".

const VOWEL = /[aeiouy]/;

function undouble(stem: string): string {
  const n = stem.length;
  if (n >= 3 && stem[n - 1] === stem[n - 2] && !'lsz'.includes(stem[n - 1]!)) return stem.slice(0, -1);
  return stem;
}

/** Strips a suffix when what remains is long enough and has a vowel. */
function strip(word: string, suffix: string, minStem: number): string | undefined {
  if (!word.endsWith(suffix)) return undefined;
  const stem = word.slice(0, -suffix.length);
  return stem.length >= minStem && VOWEL.test(stem) ? stem : undefined;
}

/** The stem of one lower-case word. Words of three characters or fewer, and numbers, are kept. */
export function lightStem(word: string): string {
  if (word.length <= 3 || /^\p{N}+$/u.test(word)) return word;
  let w = word;
  // Plurals and third person.
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/(?:ch|sh|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  // Adverbs, then participles.
  const ly = strip(w, 'ly', 4);
  if (ly !== undefined) w = ly;
  const ing = strip(w, 'ing', 3);
  if (ing !== undefined) w = undouble(ing);
  else {
    const ed = strip(w, 'ed', 3);
    if (ed !== undefined) w = undouble(ed);
  }
  // "y" and "i" endings meet ("story"/"stories"), and a final "e" goes ("make"/"making").
  if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}
