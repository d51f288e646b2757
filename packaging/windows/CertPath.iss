; Inno Setup script: dist\CertPath\ (PyInstaller one-folder build) -> dist\CertPath-Setup-<version>.exe
;   iscc /DAppVersion=0.1.0 packaging\windows\CertPath.iss
; Per-user install by default (no admin prompt); the user can choose all users in the dialog.
; User data lives in %LOCALAPPDATA%\CertPath and is never touched by install/uninstall.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "CertPath"
#define SrcRoot "..\.."

[Setup]
AppId={{8C1F4E7A-5B2D-4C3E-9A61-3F0D2B7C9E41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=CertPath
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#SrcRoot}\dist
OutputBaseFilename=CertPath-Setup-{#AppVersion}
SetupIconFile={#SrcRoot}\resources\icons\certpath.ico
UninstallDisplayIcon={app}\CertPath.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
MinVersion=10.0

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SrcRoot}\dist\CertPath\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\CertPath.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\CertPath.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\CertPath.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
