import { describe, expect, it } from 'vitest';
import {
  composeName,
  currencyDigits,
  formatDate,
  formatDateTime,
  formatMoney,
  formatPhone,
  formatYmd,
  fromLocalInput,
  parseAmountInput,
  phoneLabel,
  phoneLabelKey,
  emailLabel,
  emailLabelKey,
  pickLanguage,
  toLocalInput
} from './format';

// Intl puts a no-break space between amount and symbol; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatDate', () => {
  // 2025-01-05 20:30 UTC is already 6 January in Ho Chi Minh City (UTC+7).
  const ms = Date.UTC(2025, 0, 5, 20, 30);

  it('writes dd/mm/yyyy in Vietnamese, in the workspace zone', () => {
    expect(formatDate(ms, 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/01/2025');
  });
  it('uses the zone it is given', () => {
    expect(formatDate(ms, 'vi', 'UTC')).toBe('05/01/2025');
    expect(formatDate(ms, 'vi', 'America/New_York')).toBe('05/01/2025');
  });
  it('writes an unambiguous English date', () => {
    expect(formatDate(ms, 'en', 'Asia/Ho_Chi_Minh')).toBe('6 Jan 2025');
  });
  it('defaults to Asia/Ho_Chi_Minh for a missing or unknown zone', () => {
    expect(formatDate(ms, 'vi', null)).toBe('06/01/2025');
    expect(formatDate(ms, 'vi', 'Not/AZone')).toBe('06/01/2025');
  });
  it('adds 24-hour time', () => {
    expect(formatDateTime(ms, 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/01/2025 03:30');
    expect(formatDateTime(ms, 'en', 'UTC')).toBe('5 Jan 2025 20:30');
  });
});

describe('formatYmd', () => {
  it('formats calendar dates without shifting them by a zone', () => {
    expect(formatYmd('1990-12-31', 'vi')).toBe('31/12/1990');
    expect(formatYmd('1990-12-31', 'en')).toBe('31 Dec 1990');
  });
  it('leaves odd input alone and empty as empty', () => {
    expect(formatYmd('31/12/1990', 'vi')).toBe('31/12/1990');
    expect(formatYmd(null, 'vi')).toBe('');
  });
});

describe('datetime-local round trip', () => {
  it('shows an instant as wall-clock time of the zone and reads it back', () => {
    const ms = Date.UTC(2025, 5, 1, 2, 5);
    expect(toLocalInput(ms, 'Asia/Ho_Chi_Minh')).toBe('2025-06-01T09:05');
    expect(fromLocalInput('2025-06-01T09:05', 'Asia/Ho_Chi_Minh')).toBe(ms);
  });
  it('handles zones with daylight saving', () => {
    const ms = Date.UTC(2025, 6, 1, 12, 0); // 08:00 in New York (EDT, UTC-4)
    expect(toLocalInput(ms, 'America/New_York')).toBe('2025-07-01T08:00');
    expect(fromLocalInput('2025-07-01T08:00', 'America/New_York')).toBe(ms);
  });
  it('rejects junk', () => {
    expect(fromLocalInput('yesterday', 'UTC')).toBeNull();
  });
});

describe('formatMoney', () => {
  it('formats VND the Vietnamese way', () => {
    expect(plain(formatMoney(1250000, 'VND', 'vi'))).toBe('1.250.000 ₫');
  });
  it('formats VND in English', () => {
    expect(formatMoney(1250000, 'VND', 'en')).toBe('₫1,250,000');
  });
  it('treats a missing currency as VND', () => {
    expect(plain(formatMoney(5000, null, 'vi'))).toBe('5.000 ₫');
  });
  it('reads minor units for currencies that have them', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('VND')).toBe(0);
    expect(formatMoney(123456, 'USD', 'en')).toBe('$1,234.56');
  });
  it('still shows something for an unknown currency code', () => {
    expect(formatMoney(1000, 'X1', 'en')).toBe('1,000 X1');
  });
});

describe('parseAmountInput', () => {
  it('keeps digits only and groups thousands as the user types', () => {
    expect(parseAmountInput('1250000', 'vi')).toEqual({ text: '1.250.000', value: 1250000 });
    expect(parseAmountInput('1.250.0005', 'vi')).toEqual({ text: '12.500.005', value: 12500005 });
    expect(parseAmountInput('1,250,000', 'en')).toEqual({ text: '1,250,000', value: 1250000 });
    expect(parseAmountInput('abc', 'vi')).toEqual({ text: '', value: null });
    expect(parseAmountInput('007', 'vi')).toEqual({ text: '7', value: 7 });
  });
  it('refuses numbers past the safe integer range instead of rounding them', () => {
    expect(parseAmountInput('99999999999999999999', 'vi').value).toBeNull();
  });
});

describe('formatPhone', () => {
  it('shows Vietnamese mobiles nationally, grouped 4-3-3', () => {
    expect(formatPhone('+84912345678')).toBe('0912 345 678');
    expect(formatPhone('+84987654321')).toBe('0987 654 321');
  });
  it('groups Vietnamese landlines 3-4-4', () => {
    expect(formatPhone('+842838221234')).toBe('028 3822 1234');
  });
  it('leaves other countries and non-E.164 text as they are', () => {
    expect(formatPhone('+14155550100')).toBe('+14155550100');
    expect(formatPhone('0912 345 678')).toBe('0912 345 678');
    expect(formatPhone(null)).toBe('');
  });
});

describe('phoneLabel', () => {
  const t = (k: string) => `<${k}>`;
  it('shows the kinds the core gives a number in the UI language, other labels as typed', () => {
    expect(phoneLabel(t, 'landline')).toBe('<phone.kind.landline>');
    expect(phoneLabel(t, 'mobile')).toBe('<phone.kind.mobile>');
    expect(phoneLabel(t, 'Zalo')).toBe('Zalo');
    expect(phoneLabel(t, 'Nhà riêng')).toBe('Nhà riêng');
    expect(emailLabel(t, 'personal')).toBe('<email.kind.personal>');
    expect(emailLabel(t, 'Hộp thư chung')).toBe('Hộp thư chung');
  });
  it('stores a kind typed by its translated name (or its key) as the kind, any other label as typed', () => {
    const vi = (k: string) => ({ 'phone.kind.mobile': 'Di động', 'phone.kind.landline': 'Cố định', 'phone.kind.hotline': 'Tổng đài', 'email.kind.personal': 'Cá nhân', 'email.kind.work': 'Công việc' })[k] ?? k;
    expect(phoneLabelKey(vi, 'Di động')).toBe('mobile');
    expect(phoneLabelKey(vi, 'di động ')).toBe('mobile');
    expect(phoneLabelKey(vi, 'Cố định')).toBe('landline');
    expect(emailLabelKey(vi, 'cá nhân')).toBe('personal');
    expect(emailLabelKey(vi, 'Công việc ')).toBe('work');
    expect(emailLabelKey(vi, 'Kế toán')).toBe('Kế toán');
    expect(phoneLabelKey(vi, 'mobile')).toBe('mobile');
    expect(phoneLabelKey(vi, 'Di động 2')).toBe('Di động 2');
    expect(phoneLabelKey(vi, 'Zalo')).toBe('Zalo');
    expect(phoneLabelKey(vi, phoneLabel(vi, 'landline'))).toBe('landline');
  });
});

describe('language and names', () => {
  it('prefers the saved language, then the OS locale, then Vietnamese', () => {
    expect(pickLanguage('en', ['vi-VN'])).toBe('en');
    expect(pickLanguage(null, ['en-US', 'vi'])).toBe('en');
    expect(pickLanguage(null, ['fr-FR', 'vi-VN'])).toBe('vi');
    expect(pickLanguage(null, ['fr-FR'])).toBe('vi');
    expect(pickLanguage('de', ['en-GB'])).toBe('en');
  });
  it('composes a full name from its parts', () => {
    expect(composeName('Đặng', ' Thị Ngọc ', 'Ánh')).toBe('Đặng Thị Ngọc Ánh');
    expect(composeName('Nguyễn', null, 'An')).toBe('Nguyễn An');
    expect(composeName(null, '', undefined)).toBe('');
  });
});
