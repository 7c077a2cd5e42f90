"""The demo hospital that `make demo` loads: 苏州市枫桥人民医院 and its WeChat account ``demo``.

``hospital.py`` and ``wechat.py`` hold the data, ``load.py`` the idempotent loader and
``runner.py`` the processes `carebridge demo` starts.
"""
