// How much data each `--size` makes.

export type SeedSize = 'small' | 'default' | 'large';

export interface SizeSpec {
  users: number;
  questsPerCategory: number;
  interactions: number;
  passagesPerCharacter: number;
  documentsPerCategory: number;
  /** Live sessions through the flows: classes (one character each), learners per class, rounds of questions. */
  traffic: { classes: number; learners: number; rounds: number };
}

export const SIZES: Record<SeedSize, SizeSpec> = {
  small: {
    users: 40,
    questsPerCategory: 2,
    interactions: 1_500,
    passagesPerCharacter: 6,
    documentsPerCategory: 1,
    traffic: { classes: 2, learners: 3, rounds: 4 },
  },
  default: {
    users: 2_000,
    questsPerCategory: 5,
    interactions: 40_000,
    passagesPerCharacter: 24,
    documentsPerCategory: 4,
    traffic: { classes: 4, learners: 4, rounds: 4 },
  },
  large: {
    users: 20_000,
    questsPerCategory: 10,
    interactions: 400_000,
    passagesPerCharacter: 80,
    documentsPerCategory: 12,
    traffic: { classes: 8, learners: 5, rounds: 6 },
  },
};
