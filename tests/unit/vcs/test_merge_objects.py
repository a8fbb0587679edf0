"""What a batched merge reads and writes in git: the cat-file reader a plan asks as it goes, the
scratch object store, and the three small commits git merges (written by Orchard, read and
checked by git itself), on real repositories; planning leaves no object, ref or file behind."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from orchard.errors import GitError
from orchard.vcs.blobs import BlobReader, read_blobs
from orchard.vcs.merge import plan_merge
from orchard.vcs.merge_batch import TextMerge, merge_texts
from orchard.vcs.merge_objects import SideFile, write_merge_commits
from orchard.vcs.scratch_objects import ScratchObjects, hash_algorithm, object_id
from orchard.vcs.snapshot import create_snapshot
from orchard.vcs.worktree import commit_worktree, create_worktree
from tests.support.gitrepo import GIT_ENV, GitRepo
from tests.unit.vcs.userstate import user_state


def stored_blob(repo: GitRepo, content: bytes) -> str:
    """Write `content` as a blob with git itself; return its id."""
    path = repo.root.parent / "blob-input"
    path.write_bytes(content)
    return repo.git("hash-object", "-w", str(path)).strip()


def test_the_reader_answers_more_than_a_pipe_holds_in_any_order(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo({"a/b.txt": "bee\n"})
    contents = [f"blob {n}\n".encode() * 200 for n in range(300)]  # ~2.6 MB of answers
    ids = [stored_blob(repo, content) for content in contents]
    with BlobReader(repo.root) as reader:
        reader.ask(ids)
        assert [reader.get(i) for i in reversed(ids)] == list(reversed(contents))
        assert reader.get("HEAD:a/b.txt") == b"bee\n"
        assert reader.get("HEAD:no/such/file") is None
        assert reader.get("0" * 40) is None


def in_store(repo: GitRepo, store: ScratchObjects, *args: str) -> str:
    """Run git in `repo` reading (and writing) objects through `store`."""
    env = {**os.environ, **GIT_ENV, **store.env}
    done = subprocess.run(
        ["git", *args], cwd=repo.root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_read_blobs_refuses_a_missing_name_unless_told_it_may_be(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo({"a.txt": "a\n"})
    assert read_blobs(repo.root, ["HEAD:a.txt", "HEAD:b.txt"], missing_ok=True) == {
        "HEAD:a.txt": b"a\n"
    }
    with pytest.raises(GitError):
        read_blobs(repo.root, ["HEAD:b.txt"])


def test_merge_commits_hold_only_the_files_at_their_paths_and_git_reads_them(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo({"README.md": "# demo\n"})
    base, theirs = stored_blob(repo, b"one\n"), stored_blob(repo, b"one\nagent\n")
    ours = b"user\none\n"
    ours_id = object_id("blob", ours, "sha1")
    paths = ["src/deep/a.py", "src/b.py", "src-x.py", "c"]  # "src-x.py" sorts before "src/"
    with ScratchObjects(repo.root) as store:
        commits = write_merge_commits(
            store,
            {p: SideFile("100644", base) for p in paths},
            {p: SideFile("100644", ours_id, ours) for p in paths},
            {p: SideFile("100755", theirs) for p in paths},
        )
        listing = in_store(repo, store, "ls-tree", "-r", commits.ours).splitlines()
        assert sorted(line.split("\t")[1] for line in listing) == sorted(paths)
        assert {line.split()[2] for line in listing} == {ours_id}
        assert in_store(repo, store, "cat-file", "blob", ours_id).encode() == ours
        assert in_store(repo, store, "ls-tree", "-r", commits.theirs).split()[0] == "100755"
        merge_base = in_store(repo, store, "merge-base", commits.ours, commits.theirs).strip()
        bases = in_store(repo, store, "ls-tree", "-r", "--object-only", merge_base).split()
        assert bases == [base] * len(paths)
        for oid in (commits.ours, commits.theirs, merge_base):  # well-formed, git's own ids
            kind = in_store(repo, store, "cat-file", "-t", oid).strip()
            content = subprocess.run(
                ["git", "cat-file", kind, oid], cwd=repo.root, capture_output=True, check=True,
                env={**os.environ, **GIT_ENV, **store.env},
            ).stdout  # fmt: skip
            assert object_id(kind, content, "sha1") == oid
        folder = Path(store.folder)
        assert folder.is_dir()
        with pytest.raises(RuntimeError):  # the repository itself never got them
            repo.git("cat-file", "-t", commits.ours)
    assert not folder.exists()


def test_an_object_written_twice_is_stored_once(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo({"a.txt": "a\n"})
    with ScratchObjects(repo.root) as store:
        first = store.write("blob", b"same\n")
        assert store.write("blob", b"same\n") == first == stored_blob(repo, b"same\n")
        assert in_store(repo, store, "cat-file", "blob", first) == "same\n"


def test_planning_writes_no_object_ref_nor_file(
    make_repo: Callable[..., GitRepo],
) -> None:
    lines = "".join(f"line {n}\n" for n in range(1, 21))
    repo = make_repo({"pkg/a.txt": lines, "pkg/deep/b.txt": lines, "c.txt": lines})
    snapshot = create_snapshot(repo.root, "t1")
    worktree = create_worktree(snapshot, "a1")
    for path in ("pkg/a.txt", "pkg/deep/b.txt", "c.txt"):
        (worktree.path / path).write_text("agent\n" + lines)
    commit = commit_worktree(worktree, "agent work", "test/model")
    assert commit is not None
    for path in ("pkg/a.txt", "pkg/deep/b.txt"):
        (repo.root / path).write_text(lines + "user\n")
    refs, before = repo.git("for-each-ref"), user_state(repo)
    objects = repo.git("count-objects", "-v")
    first = plan_merge(repo.root, "t1", "a1", snapshot.commit, commit)
    second = plan_merge(repo.root, "t1", "a1", snapshot.commit, commit)
    assert repo.git("count-objects", "-v") == objects
    assert repo.git("for-each-ref") == refs and user_state(repo) == before
    assert first == second and first.is_clean
    merged = first.file("pkg/deep/b.txt")
    assert merged is not None and merged.result == ("agent\n" + lines + "user\n").encode()


def test_a_sha256_repository_gets_sha256_ids_and_its_merge(tmp_path: Path) -> None:
    root = tmp_path / "sha256"
    root.mkdir()
    repo = GitRepo(root)
    repo.git("init", "-q", "--object-format=sha256")
    lines = "".join(f"line {n}\n" for n in range(1, 11))
    base = stored_blob(repo, lines.encode())
    theirs = stored_blob(repo, ("agent\n" + lines).encode())
    ours = (lines + "user\n").encode()
    merge = TextMerge(
        "pkg/a.txt",
        base=SideFile("100644", base),
        ours=SideFile("100644", object_id("blob", ours, hash_algorithm(base)), ours),
        theirs=SideFile("100644", theirs),
    )
    with ScratchObjects(root, hash_algorithm(base)) as store, BlobReader(root, store.env) as reader:
        merged = merge_texts(root, [merge], "a1", reader, store)
    assert len(base) == 64
    assert merged == {"pkg/a.txt": (("agent\n" + lines + "user\n").encode(), False)}
