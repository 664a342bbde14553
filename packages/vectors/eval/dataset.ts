// The retrieval-quality eval set, generated deterministically from principles rather than picked
// examples: MonsterOS-like memories (a character's notes on what a user learned, in quests) built
// from topics, names and places, and questions about them written the ways users ask — paraphrases
// with question words and inflected forms, bare topic words, names, and synonyms the memory does
// not contain. Every text is a template filled by a seeded generator.

import { seededRandom as random } from '@monsteros/bench-kit';

/** A topic: its content words (each memory uses two) and, per word, a synonym a user might say instead. */
interface Topic {
  name: string;
  words: string[];
  synonyms: Record<string, string>;
}

const TOPICS: Topic[] = [
  {
    name: 'recursion',
    words: ['recursion', 'base case', 'call stack', 'factorial', 'fibonacci', 'tower of hanoi'],
    synonyms: { recursion: 'self-reference', 'call stack': 'stack frames' },
  },
  {
    name: 'cooking',
    words: ['pasta', 'sauce', 'garlic', 'oven', 'dough', 'simmer'],
    synonyms: { pasta: 'noodles', oven: 'stove' },
  },
  {
    name: 'astronomy',
    words: ['telescope', 'nebula', 'orbit', 'comet', 'constellation', 'eclipse'],
    synonyms: { telescope: 'spyglass', comet: 'shooting star' },
  },
  {
    name: 'gardening',
    words: ['compost', 'seedling', 'pruning', 'soil', 'greenhouse', 'watering'],
    synonyms: { soil: 'dirt', seedling: 'sprout' },
  },
  {
    name: 'music',
    words: ['chord', 'melody', 'rhythm', 'violin', 'scale', 'tempo'],
    synonyms: { melody: 'tune', tempo: 'speed' },
  },
  {
    name: 'chemistry',
    words: ['molecule', 'reaction', 'catalyst', 'acid', 'electron', 'bond'],
    synonyms: { acid: 'sour compound', catalyst: 'accelerant' },
  },
  {
    name: 'sorting',
    words: ['quicksort', 'merge sort', 'pivot', 'comparison', 'bubble sort', 'heap'],
    synonyms: { comparison: 'compare step', pivot: 'split point' },
  },
  {
    name: 'history',
    words: ['empire', 'dynasty', 'treaty', 'revolution', 'castle', 'knight'],
    synonyms: { castle: 'fortress', treaty: 'peace pact' },
  },
  {
    name: 'finance',
    words: ['budget', 'savings', 'interest', 'loan', 'invoice', 'taxes'],
    synonyms: { savings: 'nest egg', loan: 'credit' },
  },
  {
    name: 'fitness',
    words: ['stretching', 'squats', 'endurance', 'marathon', 'push-ups', 'posture'],
    synonyms: { marathon: 'long race', endurance: 'stamina' },
  },
  {
    name: 'painting',
    words: ['watercolor', 'canvas', 'brush', 'palette', 'portrait', 'perspective'],
    synonyms: { portrait: 'likeness', canvas: 'easel cloth' },
  },
  {
    name: 'networking',
    words: ['router', 'packet', 'latency', 'firewall', 'bandwidth', 'protocol'],
    synonyms: { latency: 'delay', packet: 'datagram' },
  },
  {
    name: 'biology',
    words: ['photosynthesis', 'cell', 'enzyme', 'mitochondria', 'chlorophyll', 'protein'],
    synonyms: { cell: 'organism unit', enzyme: 'biological catalyst' },
  },
  {
    name: 'language',
    words: ['grammar', 'vocabulary', 'pronunciation', 'verb', 'accent', 'idiom'],
    synonyms: { vocabulary: 'word list', verb: 'action word' },
  },
  {
    name: 'weather',
    words: ['thunderstorm', 'humidity', 'forecast', 'blizzard', 'rainbow', 'drought'],
    synonyms: { forecast: 'prediction', blizzard: 'snowstorm' },
  },
  {
    name: 'databases',
    words: ['index', 'query', 'transaction', 'schema', 'join', 'replica'],
    synonyms: { transaction: 'atomic unit', replica: 'copy' },
  },
  {
    name: 'geometry',
    words: ['triangle', 'angle', 'circle', 'radius', 'polygon', 'hypotenuse'],
    synonyms: { circle: 'ring', polygon: 'many-sided shape' },
  },
  {
    name: 'sailing',
    words: ['anchor', 'harbor', 'mast', 'compass', 'tide', 'knot'],
    synonyms: { harbor: 'port', tide: 'current' },
  },
  {
    name: 'baking',
    words: ['sourdough', 'yeast', 'croissant', 'flour', 'kneading', 'crust'],
    synonyms: { flour: 'meal', kneading: 'working the dough' },
  },
  {
    name: 'chess',
    words: ['checkmate', 'bishop', 'opening', 'gambit', 'pawn', 'endgame'],
    synonyms: { checkmate: 'mate', opening: 'first moves' },
  },
  {
    name: 'meditation',
    words: ['breathing', 'mindfulness', 'mantra', 'focus', 'calm', 'posture'],
    synonyms: { calm: 'serenity', focus: 'attention' },
  },
  {
    name: 'geology',
    words: ['volcano', 'earthquake', 'fossil', 'crystal', 'erosion', 'magma'],
    synonyms: { fossil: 'petrified remains', erosion: 'wearing away' },
  },
  {
    name: 'photography',
    words: ['aperture', 'shutter', 'exposure', 'lens', 'tripod', 'focus'],
    synonyms: { lens: 'optic', exposure: 'brightness' },
  },
  {
    name: 'probability',
    words: ['dice', 'variance', 'distribution', 'expectation', 'coin flip', 'odds'],
    synonyms: { odds: 'chances', dice: 'cubes' },
  },
  {
    name: 'poetry',
    words: ['sonnet', 'rhyme', 'stanza', 'metaphor', 'haiku', 'verse'],
    synonyms: { rhyme: 'matching sounds', metaphor: 'figure of speech' },
  },
  {
    name: 'economics',
    words: ['inflation', 'supply', 'demand', 'market', 'tariff', 'currency'],
    synonyms: { inflation: 'rising prices', currency: 'money' },
  },
  {
    name: 'robotics',
    words: ['sensor', 'servo', 'actuator', 'gripper', 'calibration', 'circuit'],
    synonyms: { sensor: 'detector', gripper: 'claw' },
  },
  {
    name: 'first aid',
    words: ['bandage', 'splint', 'burn', 'fracture', 'pulse', 'bleeding'],
    synonyms: { bandage: 'dressing', fracture: 'broken bone' },
  },
  {
    name: 'mythology',
    words: ['dragon', 'oracle', 'titan', 'phoenix', 'labyrinth', 'minotaur'],
    synonyms: { oracle: 'seer', labyrinth: 'maze' },
  },
  {
    name: 'typescript',
    words: ['generics', 'interface', 'type inference', 'union type', 'compiler', 'narrowing'],
    synonyms: { compiler: 'tsc', generics: 'type parameters' },
  },
];

const USERS = ['Mira', 'Tobin', 'Aska', 'Lio', 'Renna', 'Dax', 'Yuki', 'Oren', 'Pia', 'Sol', 'Kael', 'Nadia'];
const PLACES = [
  'northern pass',
  'sunken library',
  'crystal caves',
  'harbor town',
  'old observatory',
  'ember forge',
];
const CHARACTERS = ['sage', 'ember', 'frost'];

const MEMORY_TEMPLATES = [
  (u: string, a: string, b: string, p: string) =>
    `${u} asked how ${a} relates to ${b} during the ${p} quest.`,
  (u: string, a: string, b: string, p: string) =>
    `${u} finally understood ${a} after practicing ${b} at the ${p}.`,
  (u: string, a: string, b: string, p: string) =>
    `We talked with ${u} about ${a} and ${b} on the way to the ${p}.`,
  (u: string, a: string, b: string, p: string) =>
    `At the ${p}, ${u} was confused by ${a} until we tried ${b} together.`,
  (u: string, a: string, b: string, _p: string) =>
    `${u} wants to get better at ${a}; next time start with ${b}.`,
];

// Chit-chat the characters also remember: question words and names, no topic. Hard negatives for
// an embedder that lets "what is" or "can you" dominate.
const CHATTER = [
  (u: string) => `What is the best way for ${u} to start the day?`,
  (u: string) => `Can you tell ${u} what time the quest board opens?`,
  (u: string) => `${u} said thank you and asked what we would do next.`,
  (u: string) => `How is ${u} feeling today? Tired but happy.`,
];

/** Inflected forms a user types ("recursions", "compiling"): the stemmer's and the n-grams' job. */
function inflect(word: string, pick: number): string {
  const last = word.split(' ').at(-1)!;
  const head = word.split(' ').slice(0, -1).join(' ');
  const variants = [`${last}s`, last.endsWith('e') ? `${last.slice(0, -1)}ing` : `${last}ing`, last];
  const v = variants[pick % variants.length]!;
  return head ? `${head} ${v}` : v;
}

const QUERY_TEMPLATES = {
  paraphrase: [
    (u: string, a: string) => `What did ${u} learn about ${a}?`,
    (u: string, a: string) => `Can you remind me what ${u} found hard about ${a}?`,
    (_u: string, a: string) => `What is ${a}? I think we covered it before.`,
    (u: string, a: string) => `Tell me again how ${u} got on with ${a}.`,
  ],
  synonym: [
    (u: string, s: string) => `Did ${u} ever ask you about ${s}?`,
    (_u: string, s: string) => `What do you remember about ${s}?`,
  ],
};

export interface EvalMemory {
  id: number;
  character: string;
  text: string;
  topic: string | null;
}

export interface EvalQuery {
  kind: 'paraphrase' | 'topic words' | 'name and topic' | 'synonym';
  character: string;
  text: string;
  /** The memory the question is about (gain 2 in nDCG). */
  target: number;
  /** Other memories of the same topic and character (gain 1). */
  related: number[];
}

/**
 * Memories per character: 3 per topic (each with two of its words, a user, a place) plus chatter;
 * queries: for one memory per (character, topic), one of each kind.
 */
export function buildDataset(seed = 15): { memories: EvalMemory[]; queries: EvalQuery[] } {
  const rng = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const memories: EvalMemory[] = [];
  const queries: EvalQuery[] = [];
  for (const character of CHARACTERS) {
    for (const topic of TOPICS) {
      const ids: number[] = [];
      const facts: Array<{ id: number; user: string; a: string; b: string }> = [];
      for (let m = 0; m < 3; m++) {
        const a = topic.words[(2 * m) % topic.words.length]!;
        const b = topic.words[(2 * m + 1) % topic.words.length]!;
        const user = pick(USERS);
        const id = memories.length;
        memories.push({
          id,
          character,
          topic: topic.name,
          text: pick(MEMORY_TEMPLATES)(user, a, b, pick(PLACES)),
        });
        ids.push(id);
        facts.push({ id, user, a, b });
      }
      const f = facts[Math.floor(rng() * facts.length)]!;
      const related = ids.filter((i) => i !== f.id);
      const q = (kind: EvalQuery['kind'], text: string) =>
        queries.push({ kind, character, text, target: f.id, related });
      q('paraphrase', pick(QUERY_TEMPLATES.paraphrase)(f.user, inflect(f.a, Math.floor(rng() * 3))));
      q('topic words', `${f.b} ${f.a}`);
      q('name and topic', `${f.user} ${inflect(f.b, Math.floor(rng() * 3))}`);
      const synonym = topic.synonyms[f.a] ?? topic.synonyms[f.b];
      if (synonym) q('synonym', pick(QUERY_TEMPLATES.synonym)(f.user, synonym));
    }
    for (let c = 0; c < 40; c++)
      memories.push({ id: memories.length, character, topic: null, text: pick(CHATTER)(pick(USERS)) });
  }
  return { memories, queries };
}
