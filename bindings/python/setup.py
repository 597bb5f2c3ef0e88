"""Builds the _siteseek extension with the project's CMake (a Release build of the core and
bindings only) and places it in the siteseek package. Used by pip through pyproject.toml."""
import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = pathlib.Path(self.build_temp) / "cmake"
        build.mkdir(parents=True, exist_ok=True)
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                               "-DSITESEEK_WITH_PYTHON=ON", "-DSITESEEK_WITH_HTTP=OFF", "-DSITESEEK_BUILD_TESTS=OFF",
                               f"-DPython_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_siteseek", "-j",
                               os.environ.get("JOBS", "2")])
        built = next((build / "bindings" / "python" / "siteseek").glob("_siteseek*.so"))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)


setup(ext_modules=[CMakeExtension("siteseek._siteseek")], cmdclass={"build_ext": CMakeBuild})
