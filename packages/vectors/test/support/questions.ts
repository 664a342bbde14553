/** Six user questions on unrelated topics (one about recursion, the rest cooking, geography, plants, music). */
export const QUESTIONS = [
  'Can you explain recursion with an example?',
  'What is the best way to cook pasta?',
  'What is a good recipe for sourdough bread?',
  'What is the capital of France?',
  'How do I keep my basil plant alive?',
  'What is the difference between a violin and a viola?',
] as const;
