// @monsteros/seed: filled by the seed issue.
export {};
