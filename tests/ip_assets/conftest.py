from tests.listings.conftest import business, institute, moderator, publish  # noqa: F401  (shared fixtures)

PATENT = {"ip_type": "invention", "title_vi": "Phương pháp sấy long nhãn bằng bơm nhiệt hai giai đoạn",
          "summary": "Sáng chế về quy trình sấy long nhãn giữ màu vàng cánh gián",
          "description": "Phương pháp sấy hai giai đoạn: 55 °C trong 8 giờ rồi 45 °C đến độ ẩm 16–18 %.",
          "st_fields": ["401"], "sectors": ["C"], "province_code": "33",
          "application_number_raw": "1-2021-04512", "certificate_number_raw": "1-0038211",
          "filing_date": "2021-07-12", "grant_date": "2024-03-05", "legal_status": "granted",
          "inventors": ["Phạm Minh Nghiên", "Trần Thị Lan"], "classification": [{"scheme": "IPC", "code": "A23B 7/02"}],
          "rights_offered": ["exclusive_licence", "non_exclusive_licence"], "asking_terms": "royalty",
          "royalty_pct": 3.5, "territory": "Việt Nam"}
GI = {"ip_type": "geographical_indication", "title_vi": "Chỉ dẫn địa lý “Hưng Yên” cho sản phẩm nhãn lồng",
      "summary": "CDĐL số 00055 cho nhãn lồng Hưng Yên", "st_fields": ["401"], "sectors": ["A"],
      "province_code": "33", "certificate_number_raw": "00055", "grant_date": "2017-01-23",
      "legal_status": "granted", "authorised_users": [{"name": "HTX Nhãn lồng Tiên Lữ", "commune": "Xã Tiên Lữ",
                                                         "products": "Nhãn lồng tươi"}]}
