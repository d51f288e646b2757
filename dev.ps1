# The README's two commands on Windows, with nothing to install first but Python 3.11+ (python.org
# or the Microsoft Store; no make, no Git Bash):
#   .\dev.cmd run     start CertPath          .\dev.cmd test    ruff + mypy + the whole test suite
# Also: .\dev.cmd demo (the demo profiles, throwaway folder), .\dev.cmd bundle (the frozen app,
# dist\CertPath\CertPath.exe), .\dev.cmd setup (only the virtual environment).
# dev.cmd runs this file with -ExecutionPolicy Bypass (Windows refuses unsigned .ps1 files by
# default); `powershell -ExecutionPolicy Bypass -File dev.ps1 test` is the same.
# Does what ./dev does: creates .venv, installs the pinned, hash-checked versions
# (requirements-dev.lock, pip --require-hashes) when they changed, then runs. Extra arguments go to
# the app or to pytest. The Python: $env:PYTHON if set, else the newest 3.x the py launcher knows
# (`py -3`), else python / python3 on PATH; whichever it is must be 3.11 or newer.
# NOTE: written for Windows PowerShell 5.1 and PowerShell 7; not executed on the machine it was
# written on (no PowerShell there): the release workflow's Windows job runs `.\dev.cmd test`.
# No param() block on purpose: pytest's options (-q, -k, -x ...) must reach pytest, not be taken
# for this script's parameters, so everything arrives untouched in $args.
$Command = if ($args.Count -gt 0) { [string]$args[0] } else { "" }
$Rest = @($args | Select-Object -Skip 1)
$ErrorActionPreference = "Stop"
Set-Location -LiteralPath $PSScriptRoot
$Venv = ".venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"

function Show-Usage {
    Get-Content -LiteralPath $PSCommandPath -TotalCount 5 | ForEach-Object { $_ -replace '^# ?', '' }
    exit 2
}

# A Python command (exe + leading arguments) that is 3.11 or newer, or $null.
function Find-Python {
    $candidates = @()
    if ($env:PYTHON) { $candidates += , @($env:PYTHON) }
    else {
        if (Get-Command py -ErrorAction SilentlyContinue) { $candidates += , @("py", "-3") }
        foreach ($name in "python", "python3") {
            if (Get-Command $name -ErrorAction SilentlyContinue) { $candidates += , @($name) }
        }
    }
    foreach ($c in $candidates) {
        $exe = $c[0]; $pre = @($c | Select-Object -Skip 1)
        try {
            & $exe @pre -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>$null
            if ($LASTEXITCODE -eq 0) { return , $c }
        } catch { }
    }
    return $null
}

function Initialize-Venv {
    $py = Find-Python
    if ($null -eq $py) {
        Write-Error ("CertPath needs Python 3.11 or newer: install it from python.org (tick 'Add python.exe " +
            "to PATH'), or set `$env:PYTHON to its python.exe.")
    }
    $exe = $py[0]; $pre = @($py | Select-Object -Skip 1)
    # the same stamp as ./dev: a hash of the lock files and pyproject.toml
    $want = & $exe @pre -c @"
import hashlib
h = hashlib.sha256()
for f in ('requirements.lock', 'requirements-dev.lock', 'pyproject.toml'):
    h.update(open(f, 'rb').read())
print(h.hexdigest())
"@
    $stamp = Join-Path $Venv ".certpath-installed"
    if ((Test-Path $VenvPython) -and (Test-Path $stamp) -and ((Get-Content -Raw $stamp).Trim() -eq $want)) { return }
    if (-not (Test-Path $VenvPython)) {
        & $exe @pre -m venv $Venv
        if ($LASTEXITCODE -ne 0) { Write-Error "could not create $Venv with $($py -join ' ')" }
    }
    # every file's hash is in the lock: pip refuses anything else
    & $VenvPython -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: -r requirements-dev.lock
    if ($LASTEXITCODE -ne 0) { Write-Error "pip could not install requirements-dev.lock" }
    & $VenvPython -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    if ($LASTEXITCODE -ne 0) { Write-Error "pip could not install CertPath itself (-e .)" }
    Set-Content -LiteralPath $stamp -Value $want -Encoding ascii
}

switch ($Command) {
    { $_ -in "run", "demo" } {
        Initialize-Venv
        $appArgs = @($Rest)
        if ($Command -eq "demo") { $appArgs = @("--demo") + $appArgs }
        & $VenvPython -m gui @appArgs
        exit $LASTEXITCODE
    }
    "test" {
        Initialize-Venv
        & (Join-Path $Venv "Scripts\ruff.exe") check .
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        # mypy: core\ clean, gui\ within its committed baseline (scripts/typecheck.py)
        & $VenvPython scripts\typecheck.py
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        if (-not $env:QT_QPA_PLATFORM) { $env:QT_QPA_PLATFORM = "offscreen" }
        & $VenvPython -m pytest @Rest
        $rc = $LASTEXITCODE
        if ($rc -eq 5) { Write-Host "dev test: pytest collected no tests"; exit 1 }
        exit $rc
    }
    "bundle" {
        Initialize-Venv
        & (Join-Path $Venv "Scripts\pyinstaller.exe") --noconfirm --clean --log-level WARN build.spec
        exit $LASTEXITCODE
    }
    "setup" { Initialize-Venv; exit 0 }
    default { Show-Usage }
}
