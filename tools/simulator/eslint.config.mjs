// Lint for the simulator: the shared Node + TypeScript rules (eslint.node-ts.mjs at the repository root).
import { nodeTsConfig } from '../../eslint.node-ts.mjs';

export default nodeTsConfig(import.meta.dirname);
