"""The Jinja extension copier loads for our templates (`_jinja_extensions` in copier.yml).

It adds the escaping filters of `scaffolder.escaping`, one per target language, and
`answer_problem`, so copier's prompt validators use the same checks as the command line.
"""

from __future__ import annotations

from jinja2.ext import Extension

from scaffolder.escaping import FILTERS


def answer_problem(value: object, key: str) -> str:
    """The reason `value` is not acceptable for question `key`, or "" when it is (for copier's
    `validator:`, which refuses an answer when the validator renders any text)."""
    from scaffolder.answers import answer_problem as problem

    return problem(key, value) or ""


# Rendering is bounded: a template (an overlay's, from another repository) must not make the
# tool build strings of gigabytes. No file of a project comes near these.
MAX_OUTPUT = 8 * 1024 * 1024  # characters one template may render
MAX_POWER_BITS = 4096  # the size of an integer `**` may make


def _size(value: object) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _bounded_binop(environment):
    from jinja2.exceptions import SecurityError

    def call_binop(context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _size(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_OUTPUT:
                    raise SecurityError(f"a repetition makes over {MAX_OUTPUT} items")
        elif operator == "+":
            sizes = (_size(left), _size(right))
            if None not in sizes and sum(sizes) > MAX_OUTPUT:  # type: ignore[arg-type]
                raise SecurityError(f"a concatenation makes over {MAX_OUTPUT} items")
        elif (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right > 0
            and right * abs(left).bit_length() > MAX_POWER_BITS
        ):
            raise SecurityError(f"a power makes an integer of over {MAX_POWER_BITS} bits")
        return environment.binop_table[operator](left, right)

    return call_binop


def _bounded_concat(pieces) -> str:
    from jinja2.exceptions import SecurityError

    out, size = [], 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            exc = SecurityError(f"it renders over {MAX_OUTPUT >> 20} MiB of text")
            code = getattr(pieces, "gi_code", None)  # the template's render function
            exc.filename = code.co_filename if code else None  # type: ignore[attr-defined]
            raise exc
        out.append(piece)
    return "".join(out)


class AnswerFilters(Extension):
    """Registers the escaping filters and `answer_problem` in copier's Jinja environment, and
    bounds what a template may build (repetition, powers, the rendered text)."""

    def __init__(self, environment):
        super().__init__(environment)
        if getattr(environment, "sandboxed", False):
            environment.intercepted_binops = frozenset({"*", "+", "**"})
            environment.call_binop = _bounded_binop(environment)
        environment.concat = _bounded_concat
        environment.filters.update(FILTERS)
        environment.filters["answer_problem"] = answer_problem
