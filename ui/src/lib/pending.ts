// Possible duplicates returned by a create, shown once on the new customer's 360.
import type { DuplicateHit } from './api';

export const pendingDuplicates = new Map<string, DuplicateHit[]>();
