import { describe, expect, it } from 'vitest';
import type { ErrorPayload } from './api/types';
import { ApiError } from './api/wrap';
import { clearField, entityKey, firstErrorField, formErrors, hasErrors } from './errors';
import { emptyInput, formShows, testIdOf } from './customerForm';

const validation: ErrorPayload = {
  kind: 'validation',
  field: 'phones[1].number',
  message_key: 'validation.phone_invalid',
  params: { value: '12ab' },
  fields: [
    { field: 'phones[1].number', message_key: 'validation.phone_invalid', params: { value: '12ab' } },
    { field: 'name', message_key: 'validation.required', params: {} },
    { field: 'custom.gone', message_key: 'validation.unknown_field', params: {} }
  ],
  message: 'invalid input'
};

describe('formErrors', () => {
  it('puts each field error under its field, in the order reported', () => {
    const e = formErrors(new ApiError(validation));
    expect(Object.keys(e.fields)).toEqual(['phones[1].number', 'name', 'custom.gone']);
    expect(e.fields['phones[1].number']).toEqual([{ key: 'validation.phone_invalid', params: { value: '12ab' } }]);
    expect(e.general).toEqual([]);
    expect(firstErrorField(e)).toBe('phones[1].number');
  });

  it('sends errors of fields the form does not show to the banner, naming the field', () => {
    const e = formErrors(validation, (f) => f !== 'custom.gone');
    expect(Object.keys(e.fields)).toEqual(['phones[1].number', 'name']);
    expect(e.general).toEqual([{ key: 'validation.unknown_field', params: { field: 'custom.gone' } }]);
  });

  it('keeps non-validation errors general, with their params', () => {
    const notFound: ErrorPayload = {
      kind: 'not_found',
      field: null,
      message_key: 'error.not_found',
      params: { entity: 'customer', id: 'x' },
      fields: [],
      message: 'customer x not found'
    };
    const e = formErrors(notFound);
    expect(e.fields).toEqual({});
    expect(e.general).toEqual([{ key: 'error.not_found', params: { entity: 'customer', id: 'x' } }]);
    expect(hasErrors(e)).toBe(true);
  });

  it('uses the top-level field when a payload carries no list', () => {
    const e = formErrors({ ...validation, fields: [], field: 'language', message_key: 'validation.not_allowed', params: { value: 'fr' } });
    expect(e.fields).toEqual({ language: [{ key: 'validation.not_allowed', params: { value: 'fr' } }] });
  });

  it('turns a transport failure (a plain string) into a general message', () => {
    const e = formErrors('command customer_get not found');
    expect(e.general).toEqual([{ key: 'error.ipc', params: { detail: 'command customer_get not found' } }]);
  });

  it('clears one field once the user edits it', () => {
    const e = formErrors(validation);
    const after = clearField(e, 'name');
    expect(Object.keys(after.fields)).toEqual(['phones[1].number', 'custom.gone']);
    expect(Object.keys(e.fields)).toHaveLength(3); // the original is untouched
    expect(clearField(after, 'nothing')).toBe(after);
  });

  it('names entities by translation key', () => {
    expect(entityKey('trashed customer')).toBe('entity.trashed_customer');
    expect(entityKey('customer')).toBe('entity.customer');
  });
});

describe('customer form field mapping', () => {
  const fields = [{ id: 'f1', key: 'size', label: 'Size', kind: 'select' as const, options: ['S'], required: false, position: 1 }];

  it('knows which inputs exist for the current form', () => {
    const person = emptyInput();
    person.phones.push({ label: '', number: '' });
    expect(formShows('phones[1].number', person, fields)).toBe(true);
    expect(formShows('phones[2].number', person, fields)).toBe(false);
    expect(formShows('emails[0].address', person, fields)).toBe(true);
    expect(formShows('family_name', person, fields)).toBe(true);
    expect(formShows('tax_code', person, fields)).toBe(false);
    expect(formShows('custom.size', person, fields)).toBe(true);
    expect(formShows('custom.color', person, fields)).toBe(false);
    expect(formShows('tags[3]', person, fields)).toBe(true);
    expect(formShows('something_else', person, fields)).toBe(false);
    const company = { ...person, kind: 'company' as const };
    expect(formShows('tax_code', company, fields)).toBe(true);
    expect(formShows('family_name', company, fields)).toBe(false);
  });

  it('finds the input to focus for a field path', () => {
    expect(testIdOf('phones[1].number')).toBe('field-phone-1');
    expect(testIdOf('emails[0].address')).toBe('field-email-0');
    expect(testIdOf('tax_code')).toBe('field-tax_code');
    expect(testIdOf('custom.size')).toBe('field-custom-size');
    expect(testIdOf('tags[2]')).toBe('field-tags');
  });
});
