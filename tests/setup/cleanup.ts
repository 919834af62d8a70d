import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/tmp.ts';

// Registered first, so it runs after the test file's own afterAll hooks (servers stopped by then).
afterAll(removeTempDirs);
