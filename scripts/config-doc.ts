/** `npm run config:doc`: prints README's configuration table from the config schema. */
import { configTableMarkdown } from '../src/server/config/config.ts';

console.log(configTableMarkdown());
