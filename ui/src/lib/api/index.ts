// The API the screens use: the generated commands, unwrapped (see wrap.ts), and their types.

import { commands } from './bindings';
import { wrapCommands, type Unwrapped } from './wrap';

export type * from './types';
export { ApiError, onCommandError, toApiError, unwrap } from './wrap';
export { events } from './bindings';

export const api = wrapCommands(commands) as unknown as Unwrapped<typeof commands>;
