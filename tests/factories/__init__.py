"""factory_boy factories per domain (Vietnamese Faker ``vi_VN``); rows are committed, as views would see them."""
