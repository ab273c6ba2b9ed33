"""The boxes of counts on top of an operator's queue (the complaints desk, held completions): one shape.

A view lists its boxes; ``templates/web/_count_boxes.html`` draws them, each
a number that links to the queue filtered to it (or plain, with no link).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CountBox:
    label: str
    value: int
    href: str = ""  # a query string of the queue; empty: the number is not a link
    testid: str = ""
