# discue completion for PowerShell: discue completion powershell | Out-String | Invoke-Expression (in $PROFILE)
Register-ArgumentCompleter -Native -CommandName discue -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { $_.Extent.Text })
    if ($wordToComplete -eq '') { $words += '' }
    $reply = @(& discue __complete powershell -- @words 2>$null)
    if ($reply.Count -eq 0 -or $reply[0] -eq 'files') { return }
    $reply | Select-Object -Skip 1 | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
