#!/usr/bin/python3
"""Validates notebooks with nbformat, treating every warning as an error.

  validate-notebook.py executed FILE...   an output of `dotnet repl --run`: adds the cell ids dotnet-repl drops
                                           (nbformat 4.5 requires them; deterministic: cell-0, cell-1, ...), writes the
                                           file back, validates, and fails on any error output
  validate-notebook.py source FILE...     a committed notebook: valid, has ids, carries no outputs, its code
                                           cells carry the Polyglot metadata (C# kernel), and it starts with the two
                                           cells of docs/notebooks.md: the feed check, then the newest local package
Prints nothing when all is well; one line per problem otherwise; exit status 1 on any problem.
"""
import json, sys, warnings
import nbformat

def problems_of(path, mode):
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    found = []
    if mode == "executed":
        for i, cell in enumerate(raw.get("cells", [])):
            cell.setdefault("id", f"cell-{i}")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(raw, f, indent=1, ensure_ascii=False)
            f.write("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            nb = nbformat.reads(json.dumps(raw), as_version=nbformat.NO_CONVERT)
            nbformat.validate(nb, strict=True) if "strict" in nbformat.validate.__code__.co_varnames else nbformat.validate(nb)
        except Exception as e:  # ValidationError or a warning turned into an error
            return [f"{path}: nbformat: {type(e).__name__}: {str(e).splitlines()[0]}"]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != ".net-csharp":
        found.append(f"{path}: metadata.kernelspec.name is {kernel!r}, expected '.net-csharp'")
    if mode == "source":
        found += first_cells_problems(path, [cell.source for cell in nb.cells if cell.cell_type == "code"])
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if mode == "executed":
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    found.append(f"{path}: cell {i} failed: {out.get('ename')}: {out.get('evalue', '').splitlines()[0] if out.get('evalue') else ''}")
        else:
            if cell.get("outputs"):
                found.append(f"{path}: cell {i} has outputs; commit notebooks without outputs")
            lang = cell.metadata.get("dotnet_interactive", {}).get("language")
            if lang != "csharp" or cell.metadata.get("polyglot_notebook", {}).get("kernelName") != "csharp":
                found.append(f"{path}: cell {i} lacks the Polyglot C# metadata (dotnet_interactive.language / polyglot_notebook.kernelName)")
    return found

PACKAGE_CELL = '#r "nuget: MedAnomaly.Notebooks, *-*"'

def first_cells_problems(path, code):
    """The feed check (says "run make build" when ../artifacts/feed is missing), then the newest package of the feed."""
    found = []
    if not code or "../artifacts/feed" not in code[0] or "run make build" not in code[0]:
        found.append(f"{path}: the first code cell must check ../artifacts/feed and say \"run make build\" (docs/notebooks.md)")
    if len(code) < 2 or code[1].strip() != PACKAGE_CELL:
        found.append(f"{path}: the second code cell must be {PACKAGE_CELL} (docs/notebooks.md)")
    return found

def main(argv):
    if len(argv) < 3 or argv[1] not in ("executed", "source"):
        print(__doc__, file=sys.stderr)
        return 2
    found = [p for path in argv[2:] for p in problems_of(path, argv[1])]
    for p in found:
        print(p)
    return 1 if found else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
