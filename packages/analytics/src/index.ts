// @monsteros/analytics: filled by its own issue; nothing is exported yet.
export {};
