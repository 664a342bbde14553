import { packageTestConfig } from '@monsteros/vitest-config';

// A test runs the whole seed (four stores, live sessions through the flows) once or twice:
// 6 s alone, over 60 s while every package's suite shares two cores in CI.
export default packageTestConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
