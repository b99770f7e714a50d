// Tiếng Việt. Cùng bộ khoá với en.ts (kiểm tra bởi i18n.test.ts). Cú pháp ICU. Các câu nằm trong
// vi.json, mà CLI `tend` cũng đọc (src/messages.rs): một bộ câu cho ứng dụng và CLI.
import messages from './vi.json';

export const vi = messages;
