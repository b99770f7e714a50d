// The value lists the forms offer. Each typed list is checked against the generated union type,
// so a value the core adds (or drops) fails `svelte-check` until the UI follows.

import type { CustomFieldInput, CustomerInput, DealStageInput, InteractionInput, StaffInput } from './api';

// Taken from the input types, so a renamed type in the bindings changes nothing here.
type CustomerKind = CustomerInput['kind'];
type Gender = NonNullable<CustomerInput['gender']>;
type Role = StaffInput['role'];
type CustomFieldKind = CustomFieldInput['kind'];
type InteractionKind = InteractionInput['kind'];
type Channel = InteractionInput['channel'];
type Direction = InteractionInput['direction'];
type DealStageKind = DealStageInput['kind'];
export type { Source };

/** Compile-time check that `list` names every member of the union `T`. */
function all<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : 'missing a value')) => list;
}

export const CUSTOMER_KINDS = all<CustomerKind>()(['person', 'company']);
export const GENDERS = all<Gender>()(['male', 'female', 'other']);
export const ROLES = all<Role>()(['owner', 'manager', 'agent']);
export const FIELD_KINDS = all<CustomFieldKind>()(['text', 'number', 'date', 'select', 'checkbox']);
export const INTERACTION_KINDS = all<InteractionKind>()(['call', 'email', 'meeting', 'chat', 'note', 'purchase']);
export const CHANNELS = all<Channel>()(['phone', 'email', 'website', 'facebook', 'zalo', 'in_person', 'other']);
export const DIRECTIONS = all<Direction>()(['inbound', 'outbound', 'internal']);
export const DEAL_STAGE_KINDS = all<DealStageKind>()(['open', 'won', 'lost']);

type Source = NonNullable<CustomerInput['source']>;
export const SOURCES = all<Source>()(['website', 'facebook', 'zalo', 'phone', 'email', 'referral', 'walk_in', 'event', 'other']);

export const CURRENCIES = ['VND', 'USD', 'EUR', 'JPY', 'KRW', 'CNY', 'SGD', 'THB'] as const;
