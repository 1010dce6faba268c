import os


def list_python_files(root):
    """Return the Python files under root."""
    result = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.endswith(".py"):
                result.append(os.path.join(dirpath, name))
    return result


def count_lines(path):
