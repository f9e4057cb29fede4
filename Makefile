# Two commands on a fresh machine: `make demo` and `make test` (Python 3.11+ only).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DV := $(VENV)/bin/dv
STAMP := $(VENV)/.installed

.PHONY: demo demo-levels test lint bench serve clean

# compileall: bytecode for dv's own modules, as a regular pip install gives. The editable install
# leaves none, and with PYTHONDONTWRITEBYTECODE=1 every run would compile them afresh (~50 ms of
# `dv check ONE.xlsx`). A module edited since is recompiled in memory, never read stale.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,web]'
	$(PY) -m compileall -q toolkit workbook_templates
	touch $(STAMP)

# The whole yearly round on the sample province: templates, then the merge of what came back.
# `dv merge` exits 1 when some file was rejected (the samples have two on purpose).
demo: $(STAMP)
	@mkdir -p out
	$(DV) make-template -o out/ --force
	$(DV) make-template --units samples/units.csv -o out/mau-tung-don-vi/ --force
	$(DV) merge samples/submissions --units samples/units.csv -o out/tong-hop-2020.xlsx \
		--json out/tong-hop-2020.json --docx out/phu-luc-2020.docx \
		--previous samples/tong-hop-2019.xlsx --force || test $$? -eq 1
	@echo "Xem / see: out/tong-hop-2020.xlsx, out/phu-luc-2020.docx, out/tong-hop-2020.json, out/mau-tung-don-vi/"
	@# Next year (README "Next year's form"): the officer's 2021 form workbook, checked, its template, and the 2021
	@# round merged against the 2020 summary just written (one file's petitions do not add up: exit 1).
	$(DV) form check samples/2021/bieu-mau-2021.xlsx
	$(DV) make-template --form samples/2021/bieu-mau-2021.xlsx -o out/ --force
	$(DV) merge samples/2021/nop-ve --form samples/2021/bieu-mau-2021.xlsx --units samples/units.csv \
		-o out/tong-hop-2021.xlsx --docx out/phu-luc-2021.docx --previous out/tong-hop-2020.xlsx --force || test $$? -eq 1
	@echo "Năm 2021 / 2021: out/tong-hop-2021.xlsx, out/phu-luc-2021.docx"
	@$(MAKE) --no-print-directory demo-levels
	@echo "Cổng nộp / portal: make serve  (mật khẩu cán bộ / officer password: $(SERVE_PASSWORD); đường dẫn đơn vị / unit links: out/cong-nop/links.csv)"

# README "Nhiều cấp: xã → huyện → tỉnh → Bộ" (samples/levels/, python -m samples.make_levels): the district
# merges its six communes and rolls its round up into the province's template for it; the province merges
# its 28 units (the district's report among them) and rolls up into the ministry's template for Trà Vinh;
# the ministry merges three provinces. Each level prints its account.
demo-levels: $(STAMP)
	@mkdir -p out/levels
	@echo "== Huyện Châu Thành (HCT): 6 xã =="
	$(DV) merge samples/levels/huyen/nop-ve --units samples/levels/huyen/don-vi.csv -o out/levels/tong-hop-huyen-2020.xlsx --force
	$(DV) make-template --units samples/units.csv --unit HCT -o out/levels/ --force
	rm -rf out/levels/tinh-nop-ve && cp -r samples/levels/tinh/nop-ve out/levels/tinh-nop-ve
	$(DV) roll-up samples/levels/huyen/nop-ve --units samples/levels/huyen/don-vi.csv \
		--to out/levels/dan-van-chinh-quyen-2020-HCT.xlsx -o out/levels/tinh-nop-ve/HCT-bao-cao-2020.xlsx \
		--set report_number=215/BC-UBND --set report_date=04/12/2020 \
		--set "signer=KT. CHỦ TỊCH – PHÓ CHỦ TỊCH Thạch Sô Phol" --force
	@echo "== Tỉnh Trà Vinh: 28 đơn vị =="
	$(DV) merge out/levels/tinh-nop-ve --units samples/units.csv -o out/levels/tong-hop-tinh-2020.xlsx --force
	$(DV) make-template --form dan-van-chinh-quyen-bo --units samples/levels/bo/don-vi.csv --unit TVH -o out/levels/ --force
	rm -rf out/levels/bo-nop-ve && cp -r samples/levels/bo/nop-ve out/levels/bo-nop-ve
	$(DV) roll-up out/levels/tinh-nop-ve --units samples/units.csv \
		--to out/levels/dan-van-chinh-quyen-bo-2020-TVH.xlsx -o out/levels/bo-nop-ve/TVH-bao-cao-2020.xlsx \
		--set report_number=312/BC-UBND --set report_date=10/12/2020 \
		--set "signer=TM. ỦY BAN NHÂN DÂN – KT. CHỦ TỊCH Kim Thị Sa Rết" --force
	@echo "== Bộ Nội vụ: 3 tỉnh =="
	$(DV) merge out/levels/bo-nop-ve --form dan-van-chinh-quyen-bo --units samples/levels/bo/don-vi.csv \
		-o out/levels/tong-hop-bo-2020.xlsx --json out/levels/tong-hop-bo-2020.json --force
	@echo "Nhiều cấp / levels: out/levels/tong-hop-huyen-2020.xlsx, out/levels/tong-hop-tinh-2020.xlsx, out/levels/tong-hop-bo-2020.xlsx"

# The submission portal on the sample roster, at http://127.0.0.1:8080 (data in out/cong-nop/).
SERVE_PASSWORD ?= doi-mat-khau-nay
serve: $(STAMP)
	@mkdir -p out/cong-nop
	DV_PASSWORD='$(SERVE_PASSWORD)' $(DV) serve --data out/cong-nop --set-password
	$(DV) serve --units samples/units.csv --data out/cong-nop --deadline 2020-11-30

test: $(STAMP) lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The benchmarks time dv as installed: its modules' bytecode brought up to date first.
bench: $(STAMP)
	$(PY) -m compileall -q toolkit workbook_templates
	$(PY) -m benchmarks.bench_template
	$(PY) -m benchmarks.bench_merge --n 300
	$(PY) -m benchmarks.bench_merge --n 1000
	$(PY) -m benchmarks.bench_serve
	$(PY) -m benchmarks.bench_form
	$(PY) -m benchmarks.bench_levels

clean:
	rm -rf out .pytest_cache benchmarks/.cache
