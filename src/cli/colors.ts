/**
 * Colours for the CLI's output. The rules (NO_COLOR, FORCE_COLOR, terminals) live in
 * src/util/colors.ts, where src/tools may use them too.
 */
export { colorsFor } from '../util/colors.js';
