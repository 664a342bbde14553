// English stop words: function words that carry no topic ("what is", "can you", "the"). Kept
// short on purpose: negations ("not", "no") and question words that change meaning little are in,
// content words never are. Stored lower-case, before stemming.
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most ' +
    'my myself no nor not now of off on once only or other our ours ourselves out over own same she should ' +
    'so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you ' +
    'your yours yourself yourselves s t d ll m re ve don didn doesn isn wasn aren weren won can cannot ' +
    'shall may might must also us let lets please tell explain show give get got'
  ).split(' '),
);
