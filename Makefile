# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean chromium

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/carebridge demo

# The browser test drives Debian's chromium (Playwright never downloads a browser here);
# fonts-noto-cjk gives its screenshots Chinese glyphs. Installed when missing, as root.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

chromium:
	@if [ ! -x $(CHROMIUM) ] || [ ! -e $(CJK_FONT) ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "Installing Debian's chromium and fonts-noto-cjk for the browser test"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	    else \
	        echo "note: chromium or fonts-noto-cjk is missing and only root can install them" \
	            "(apt-get install chromium fonts-noto-cjk); without $(CHROMIUM)" \
	            "the browser test is skipped (in CI it fails)"; \
	    fi; \
	fi

test: $(BIN)/.installed chromium
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var staticfiles
