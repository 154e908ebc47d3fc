"""Command line: fetch a full image set once, ahead of time.

    python -m mlp.datasets download mnist
    python -m mlp.datasets download fashion-mnist --data-dir /path/to/data

Draws a text progress bar while downloading, checks the files, and prints where they are.
On failure it prints the reason and where the files can be placed by hand, and exits with
status 1.
"""

from __future__ import annotations

import argparse
import sys

from mlp.datasets.errors import DataError
from mlp.datasets.images import IDX_FILE_NAMES, IMAGE_DATASETS, dataset_folder, load_images

BAR_WIDTH = 30


def print_progress_bar(fraction: float, message: str) -> None:
    """Redraw one line on stderr: ``[#######-------]  45% Downloading ...``."""
    filled = round(fraction * BAR_WIDTH)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    sys.stderr.write(f"\r[{bar}] {fraction:4.0%} {message[:60]:<60}")
    sys.stderr.flush()


def download_command(name: str, data_dir: str | None) -> int:
    try:
        data = load_images(name, source="full", data_dir=data_dir, progress=print_progress_bar)
    except DataError as error:
        sys.stderr.write(f"\nerror: {error}\n")
        return 1
    folder = dataset_folder(name, data_dir).resolve()
    sys.stderr.write("\n")
    print(
        f"{IMAGE_DATASETS[name]} is ready: {len(data.X_train):,} training and "
        f"{len(data.X_test):,} test images in {folder}"
    )
    for file_name in IDX_FILE_NAMES:
        print(f"  {folder / file_name}  ({(folder / file_name).stat().st_size:,} bytes)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlp.datasets", description="Manage MLP Playground's image data sets."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    download_parser = commands.add_parser(
        "download", help="download a full image set into the data folder (once)"
    )
    download_parser.add_argument("name", choices=list(IMAGE_DATASETS))
    download_parser.add_argument(
        "--data-dir",
        help="data folder (default: $MLP_DATA_DIR, else ~/.cache/mlp-playground)",
    )
    arguments = parser.parse_args(argv)
    try:
        return download_command(arguments.name, arguments.data_dir)
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted; no partial file was kept.\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
