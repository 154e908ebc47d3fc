"""Start and stop the app and a headless Chromium, for the browser tests and the benchmarks.

`appdriver.server` runs `streamlit run app.py` on 127.0.0.1 (started and stopped by its PID);
`appdriver.chromium` says which Chromium to launch and with which flags; `appdriver.page`
drives an open page (wait for it to settle, the run buttons). Tests and benchmarks both import
from here, so they drive the app the same way; nothing here imports `tests`.
"""
