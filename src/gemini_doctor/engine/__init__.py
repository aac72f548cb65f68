"""The engine: evidence in, a ranked diagnosis out."""

from .diagnosis import Diagnosis, RankedCause
from .rank import rank

__all__ = ["Diagnosis", "RankedCause", "rank"]
