export { default } from '@monsteros/vitest-config';
