// The seed's vocabulary: the topics of each category, and the questions learners ask and the
// answers characters give about a topic (`{t}`).

const TOPICS: Record<string, string[]> = {
  algorithms: ['sorting', 'binary search', 'graphs', 'dynamic programming', 'recursion', 'hashing'],
  architecture: [
    'modules',
    'event sourcing',
    'message queues',
    'caching layers',
    'service boundaries',
    'idempotency',
  ],
  communication: ['code reviews', 'design docs', 'standups', 'feedback', 'commit messages', 'presentations'],
  data: ['statistics', 'charts', 'sampling', 'regression', 'feature engineering', 'evaluation'],
  databases: ['indexes', 'transactions', 'joins', 'query plans', 'normalization', 'replication'],
  debugging: ['stack traces', 'breakpoints', 'logging', 'bisecting', 'race conditions', 'memory leaks'],
  design: ['typography', 'color', 'layout grids', 'accessibility', 'user flows', 'prototypes'],
  foundations: ['variables', 'loops', 'functions', 'types', 'closures', 'errors'],
  frontend: ['components', 'state', 'rendering', 'forms', 'routing', 'animations'],
  habits: ['streaks', 'deep work', 'spaced repetition', 'goal setting', 'rest', 'journaling'],
  operations: ['deployments', 'monitoring', 'alerts', 'runbooks', 'rollbacks', 'capacity'],
  performance: ['profiling', 'benchmarks', 'latency', 'throughput', 'caching', 'allocation'],
  security: ['threat models', 'authentication', 'encryption', 'injection', 'secrets', 'least privilege'],
  testing: ['unit tests', 'fixtures', 'property tests', 'mocks', 'coverage', 'integration tests'],
};

export function topicsOf(category: string): string[] {
  return TOPICS[category] ?? ['basics', 'practice', 'mastery'];
}

export const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const MESSAGES = [
  'Can you explain {t} with an example?',
  'I am stuck on {t}, where do I start?',
  'Why does {t} matter in real projects?',
  'What is a common mistake with {t}?',
  'Give me a small exercise about {t}.',
  'How do I know I understood {t}?',
];

export const RESPONSES = [
  'Think of {t} as a tool: start with the smallest case and grow it.',
  'A good first step with {t} is to write down what you expect, then test it.',
  '{t} matters because it keeps systems predictable as they grow.',
  'A classic mistake with {t} is skipping the edge cases; list them first.',
  'Try this: apply {t} to a problem you solved yesterday and compare.',
];
