// Worker-thread entry for ParsePool when running from the TypeScript sources: plain JavaScript, so it loads without
// a TypeScript loader in place; it registers tsx, then runs the message loop (parse-thread.ts).
import { register } from 'tsx/esm/api';

register();
await import('./parse-thread.ts');
