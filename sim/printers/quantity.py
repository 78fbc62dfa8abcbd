"""resource.Quantity: parse, add, and print in canonical form (enough for describe)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}
_FORM = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE]?)$")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    form: str = "DecimalSI"      # DecimalSI | BinarySI | DecimalExponent

    @classmethod
    def parse(cls, text: str | int | float | None) -> "Quantity":
        if text is None or text == "":
            return cls(Decimal(0))
        if isinstance(text, (int, float)):
            return cls(Decimal(str(text)))
        match = _FORM.match(text.strip())
        if not match:
            raise ValueError(f"quantities must match the regular expression: {text!r}")
        number, suffix = Decimal(match.group(1)), match.group(2)
        if suffix in _BINARY:
            return cls(number * _BINARY[suffix], "BinarySI")
        if suffix[:1] in ("e", "E"):
            return cls(number * Decimal(10) ** int(suffix[1:]), "DecimalExponent")
        return cls(number * _DECIMAL[suffix], "DecimalSI")

    def __add__(self, other: "Quantity") -> "Quantity":
        form = self.form if self.value != 0 else other.form
        return Quantity(self.value + other.value, form)

    def milli(self) -> int:
        """MilliValue: rounded up, as Quantity does."""
        scaled = self.value * 1000
        return int(scaled) if scaled == int(scaled) else int(scaled) + (1 if scaled > 0 else 0)

    def whole(self) -> int:
        v = self.value
        return int(v) if v == int(v) else int(v) + (1 if v > 0 else 0)

    def __str__(self) -> str:
        v = self.value
        if v == 0:
            return "0"
        if self.form == "BinarySI" and v == int(v) and abs(v) >= 1024:
            n = int(v)
            for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
                if n % _BINARY[suffix] == 0:
                    return f"{n // _BINARY[suffix]}{suffix}"
            return str(n)
        if self.form == "DecimalExponent":
            exponent = v.normalize().as_tuple().exponent
            exp3 = exponent - exponent % 3
            mantissa = v / (Decimal(10) ** exp3)
            return f"{int(mantissa)}e{exp3}" if exp3 else str(int(mantissa))
        for suffix, scale in (("E", 18), ("P", 15), ("T", 12), ("G", 9), ("M", 6), ("k", 3),
                              ("", 0), ("m", -3), ("u", -6), ("n", -9)):
            scaled = v / (Decimal(10) ** scale)
            if scaled == int(scaled):
                return f"{int(scaled)}{suffix}"
        return f"{int(v * Decimal(10) ** 9)}n"
