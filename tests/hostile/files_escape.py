# hostile: writes evil files to its cwd, $HOME, $TMPDIR, every parent folder ('../evil', '../../evil', ...), and locks its scratch folder against removal (problem 2)
# The test replaces __MARKER__ with a fresh uuid so that the files it leaves can be found.
import os
import stat

NAME = "evil-__MARKER__.txt"
targets = [NAME, os.path.join(os.environ.get("HOME", "."), NAME)]
targets.append(os.path.join(os.environ.get("TMPDIR", "."), NAME))
for var in ("PWD", "OLDPWD", "INIT_CWD"):
    if os.environ.get(var):
        targets.append(os.path.join(os.environ[var], NAME))
for depth in range(1, 8):
    targets.append("../" * depth + NAME)
for target in targets:
    try:
        with open(target, "w") as f:
            f.write("evil\n")
    except OSError:
        pass

# Make the scratch folder hard to remove: a deep tree with no permissions, a read-only file.
os.makedirs("a/b/c", exist_ok=True)
with open("a/b/c/locked.txt", "w") as f:
    f.write("locked\n")
os.chmod("a/b/c/locked.txt", 0)
os.chmod("a/b/c", 0)
os.chmod("a/b", stat.S_IRUSR)
os.chmod("a", 0)
os.symlink("/", "root-link")
os.chmod(".", stat.S_IRUSR | stat.S_IXUSR)
