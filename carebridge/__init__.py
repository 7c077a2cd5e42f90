"""CareBridge (健康桥): the server behind a hospital's WeChat service account."""
