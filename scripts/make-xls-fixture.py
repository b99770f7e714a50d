#!/usr/bin/env python3
"""Writes tests/fixtures/khach-hang.xls: a legacy Excel 97-2003 file as shops still have them (a
merged title row above the header, dates as date cells, phone numbers stored as numbers that lost
their leading 0, a company name merged down over two rows). Rust has no XLS writer, so this one
fixture is made with xlwt and committed; run again only to change it:

    python3 -m venv /tmp/xv && /tmp/xv/bin/pip install xlwt && /tmp/xv/bin/python scripts/make-xls-fixture.py
"""
import datetime
import os
import xlwt

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "tests", "fixtures", "khach-hang.xls")
book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("Khách hàng")
dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
sheet.write_merge(0, 0, 0, 4, "DANH SÁCH KHÁCH HÀNG THÁNG 11")
for col, title in enumerate(["Họ và tên", "Di động", "Ngày sinh", "Công ty", "Tỉnh/Thành"]):
    sheet.write(2, col, title)
rows = [
    ("Nguyễn Thị Thu Hà", 912345678, datetime.date(1990, 5, 17), "Công ty TNHH Hoa Sen", "Hà Nội"),
    ("Trần Đức Việt", 987654321, datetime.date(1985, 12, 1), None, "Hà Nội"),
    ("Lê Quỳnh Anh", 358123456, datetime.date(2001, 1, 9), "Công ty CP Đại Dương", "Đà Nẵng"),
]
for i, (name, phone, born, company, province) in enumerate(rows):
    r = 3 + i
    sheet.write(r, 0, name)
    sheet.write(r, 1, phone)
    sheet.write(r, 2, born, dates)
    if company and i == 0:
        sheet.write_merge(r, r + 1, 3, 3, company)
    elif company:
        sheet.write(r, 3, company)
    sheet.write(r, 4, province)
book.save(out)
print(out)
