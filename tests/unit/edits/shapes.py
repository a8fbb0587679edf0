"""Reply shapes models really write, each with the tree it applies to and what must come of it.

Shared by the `orchard apply` tests (tests/unit/edits/test_reply_shapes.py) and the agent tests
(tests/integration/test_agent_edit_shapes.py). A refused shape carries the phrase its message
must hold and a corrected reply the model sends next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CALC = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
JENKINS = "pipeline {\n    agent any\n    stages {\n        stage('Build') {\n            steps { sh 'make' }\n        }\n    }\n}\n"  # noqa: E501
VAGRANT = 'Vagrant.configure("2") do |config|\n  config.vm.box = "debian/bookworm64"\nend\n'
DEPLOY = "#!/bin/sh\nset -e\nrsync -a build/ host:/srv/app\n"
TMP = "scratch notes\nline two\n"
READ_ME = "Read me first.\nThen run make.\n"
RST = "Title\n=====\n\nSome text.\n"
APP = "def greet(name):\n    return f'hello {name}'\n"
BIG = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(4)) + "VALUE = 1\n"
BASE = {
    "calc.py": CALC,
    "Jenkinsfile": JENKINS,
    "Vagrantfile": VAGRANT,
    "bin/deploy": DEPLOY,
    "tmpab12cd34": TMP,
    "docs/read me.txt": READ_ME,
    "docs/index.rst": RST,
    "src/app.py": APP,
    "pkg/a/util.py": "A = 1\n",
    "pkg/b/util.py": "B = 1\n",
    "big.py": BIG,
}


def block(path_line: str, search: str, replace: str, fence: str = "```") -> str:
    """A SEARCH/REPLACE block after a name line, in a fence."""
    close = "</source>" if fence.startswith("<") else "```"
    return (
        f"{path_line}\n{fence}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"
        f"{close}\n"
    )


def whole(path_line: str, content: str, fence: str = "```") -> str:
    """A whole-file block after a name line."""
    close = "</source>" if fence.startswith("<") else "```"
    return f"Here is the file.\n\n{path_line}\n{fence}\n{content}{close}\n"


def diff(path: str, minus: str, plus: str) -> str:
    """A unified diff of one hunk in a fence."""
    return f"```diff\n--- a/{path}\n+++ b/{path}\n@@ -1,1 +1,1 @@\n-{minus}\n+{plus}\n```\n"


ADD_FIXED = block("calc.py", "    return a + b\n", "    return int(a) + int(b)\n")
SUB_FIXED = block("calc.py", "    return a - b\n", "    return int(a) - int(b)\n")
CALC_ADD = CALC.replace("a + b", "int(a) + int(b)")
CALC_BOTH = CALC_ADD.replace("a - b", "int(a) - int(b)")


@dataclass(frozen=True)
class Shape:
    """One reply shape: the reply, its format, the files it must leave, what it must refuse."""

    name: str
    reply: str
    after: dict[str, str]
    fmt: str = "auto"
    failed: tuple[str, ...] = ()
    hint: str = ""  # a phrase the message to the model must hold (refusals and notes)
    fix: str | None = None  # the corrected reply the model sends next
    fixed: dict[str, str] = field(default_factory=dict)  # files after the fix
    note: bool = False  # the result carries a note for the model, not a failure
    gutted: tuple[str, ...] = ()  # files flagged as mostly deleted
    moved: str | None = None  # the path the model wrote, when the edit went elsewhere


SHAPES: tuple[Shape, ...] = (
    Shape(
        "jenkinsfile-editblock",
        block(
            "Jenkinsfile",
            "            steps { sh 'make' }\n",
            "            steps { sh 'make all' }\n",
        ),
        {"Jenkinsfile": JENKINS.replace("'make'", "'make all'")},
    ),
    Shape(
        "vagrantfile-editblock-bold",
        block(
            "**Vagrantfile**",
            '  config.vm.box = "debian/bookworm64"\n',
            '  config.vm.box = "debian/trixie64"\n',
        ),
        {"Vagrantfile": VAGRANT.replace("bookworm", "trixie")},
    ),
    Shape(
        "bin-deploy-editblock",
        block("bin/deploy", "set -e\n", "set -eu\n"),
        {"bin/deploy": DEPLOY.replace("set -e\n", "set -eu\n")},
    ),
    Shape(
        "tmp-name-editblock",
        block("tmpab12cd34", "line two\n", "line 2\n"),
        {"tmpab12cd34": TMP.replace("line two", "line 2")},
    ),
    Shape(
        "jenkinsfile-udiff",
        diff("Jenkinsfile", "    agent any", "    agent none"),
        {"Jenkinsfile": JENKINS.replace("agent any", "agent none")},
    ),
    Shape(
        "bin-deploy-udiff",
        diff("bin/deploy", "set -e", "set -eux"),
        {"bin/deploy": DEPLOY.replace("set -e\n", "set -eux\n")},
    ),
    Shape(
        "tmp-name-udiff",
        diff("tmpab12cd34", "line two", "line II"),
        {"tmpab12cd34": TMP.replace("line two", "line II")},
    ),
    Shape(
        "jenkinsfile-whole",
        whole("Jenkinsfile", "pipeline {\n    agent none\n}\n"),
        {"Jenkinsfile": "pipeline {\n    agent none\n}\n"},
        fmt="whole",
    ),
    Shape(
        "vagrantfile-whole",
        whole("Vagrantfile", 'Vagrant.configure("2") do |config|\nend\n', "```ruby"),
        {"Vagrantfile": 'Vagrant.configure("2") do |config|\nend\n'},
        fmt="whole",
    ),
    Shape(
        "bin-deploy-whole",
        whole("bin/deploy", "#!/bin/sh\necho deploy\n", "```sh"),
        {"bin/deploy": "#!/bin/sh\necho deploy\n"},
        fmt="whole",
    ),
    Shape(
        "tmp-name-whole",
        whole("tmpab12cd34", "fresh notes\n"),
        {"tmpab12cd34": "fresh notes\n"},
        fmt="whole",
    ),
    Shape(
        "bare-word-for-no-file-whole",
        whole("Output", "42\n"),
        {},
        fmt="whole",
        failed=("missing_file",),
        hint="a bare word never creates a file",
        fix=whole("./Output", "42\n"),
        fixed={"Output": "42\n"},
    ),
    Shape(
        "unreadable-name-line-whole",
        whole("my notes", "remember the milk\n"),
        {},
        fmt="whole",
        failed=("malformed",),
        hint="`my notes` was not applied",
        fix=whole("docs/notes.txt", "remember the milk\n"),
        fixed={"docs/notes.txt": "remember the milk\n"},
    ),
    Shape(
        "spaced-name-editblock",
        block("docs/read me.txt", "Then run make.\n", "Then run make test.\n"),
        {"docs/read me.txt": READ_ME.replace("make.", "make test.")},
    ),
    Shape(
        "spaced-name-backticks-whole",
        whole("`docs/read me.txt`", "Read nothing.\n"),
        {"docs/read me.txt": "Read nothing.\n"},
        fmt="whole",
    ),
    Shape(
        "spaced-name-udiff",
        diff("docs/read me.txt", "Read me first.", "Read me last."),
        {"docs/read me.txt": READ_ME.replace("first", "last")},
    ),
    Shape(
        "unreadable-name-does-not-inherit",
        ADD_FIXED + "\nrun script\n```\n<<<<<<< SEARCH\n    return a - b\n=======\n    return 0\n"
        ">>>>>>> REPLACE\n```\n",
        {"calc.py": CALC_ADD},
        failed=("malformed",),
        hint="not a file path I can read",
        fix=SUB_FIXED,
        fixed={"calc.py": CALC_BOTH},
    ),
    Shape(
        "git-config-does-not-inherit",
        ADD_FIXED + "\n" + block(".git/config", "    return a - b\n", "    return 0\n"),
        {"calc.py": CALC_ADD},
        failed=("unsafe_path",),
        hint="`.git/`",
        fix=SUB_FIXED,
        fixed={"calc.py": CALC_BOTH},
    ),
    Shape(
        "bin-run-does-not-inherit",
        ADD_FIXED + "\n" + block("bin/run", "    return a - b\n", "    return 0\n"),
        {"calc.py": CALC_ADD},
        failed=("missing_file",),
        hint="`bin/run` does not exist",
        fix=SUB_FIXED,
        fixed={"calc.py": CALC_BOTH},
    ),
    Shape(
        "deepseek-path-in-own-fence",
        "```\ncalc.py\n```\n"
        + block("", "    return a + b\n", "    return int(a) + int(b)\n", "```python").lstrip("\n"),
        {"calc.py": CALC_ADD},
    ),
    Shape(
        "source-tag-fence-editblock",
        block("calc.py", "    return a + b\n", "    return int(a) + int(b)\n", "<source python>"),
        {"calc.py": CALC_ADD},
    ),
    Shape(
        "source-tag-fence-whole",
        whole("docs/guide.md", "# Guide\n\n```sh\nmake\n```\n", "<source>"),
        {"docs/guide.md": "# Guide\n\n```sh\nmake\n```\n"},
        fmt="whole",
    ),
    Shape(
        "stray-divider-before-replace",
        "calc.py\n```python\n<<<<<<< SEARCH\n\n\ndef sub(a, b):\n    return a - b\n"
        "=======\n=======\n>>>>>>> REPLACE\n```\n",
        {"calc.py": "def add(a, b):\n    return a + b\n"},
    ),
    Shape(
        "rst-underlines-are-content",
        block(
            "docs/index.rst",
            "Title\n=====\n\nSome text.\n",
            "Title\n=====\n\nSome text.\n\nUsage\n=====\n",
        ),
        {"docs/index.rst": RST + "\nUsage\n=====\n"},
    ),
    Shape(
        "dropped-folder-one-candidate",
        block("app.py", "    return f'hello {name}'\n", "    return f'Hello, {name}!'\n"),
        {"src/app.py": APP.replace("hello {name}", "Hello, {name}!")},
        moved="app.py",
    ),
    Shape(
        "dropped-folder-udiff",
        diff("app.py", "    return f'hello {name}'", "    return f'Hi, {name}'"),
        {"src/app.py": APP.replace("hello {name}", "Hi, {name}")},
        moved="app.py",
    ),
    Shape(
        "dropped-folder-two-candidates",
        block("util.py", "A = 1\n", "A = 2\n"),
        {},
        failed=("missing_file",),
        hint="`pkg/a/util.py`, `pkg/b/util.py`",
        fix=block("pkg/a/util.py", "A = 1\n", "A = 2\n"),
        fixed={"pkg/a/util.py": "A = 2\n"},
    ),
    Shape(
        "chatty-reply-is-no-rewrite",
        "In `calc.py` the function currently looks like this:\n\n```python\ndef add(a, b):\n"
        "    return a + b\n```\n\nI think it is fine as it is.\n",
        {},
        note=True,
        hint="did not change `calc.py`",
        fix=ADD_FIXED,
        fixed={"calc.py": CALC_ADD},
    ),
    Shape(
        "auto-fenced-new-file-is-created",
        whole("src/extra.py", "EXTRA = True\n", "```python"),
        {"src/extra.py": "EXTRA = True\n"},
    ),
    Shape(
        "gutting-edit-is-flagged",
        block("big.py", BIG, "VALUE = 2\n"),
        {"big.py": "VALUE = 2\n"},
        gutted=("big.py",),
    ),
)

BY_NAME = {shape.name: shape for shape in SHAPES}
