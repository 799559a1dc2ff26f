"""The project's interpreter describes itself: ``python -c`` runs this file's text.

Prints two lines, the interpreter's path and its version (``About`` of the language host), as
the official host reports them. Run by the Python host (``server.About``) and by its Go front
(``tools/pulumi-language-python``).
"""

import platform
import sys

print(sys.executable)
print(platform.python_version())
