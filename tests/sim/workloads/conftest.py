import sys
from pathlib import Path

# the helpers shared with the network tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "net"))
