@echo off
rem The README's two commands on Windows (cmd or PowerShell):  dev.cmd run   dev.cmd test
rem Runs dev.ps1, which does what ./dev does; Windows refuses unsigned .ps1 files by default,
rem hence -ExecutionPolicy Bypass for this one run.
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0dev.ps1" %*
exit /b %ERRORLEVEL%
