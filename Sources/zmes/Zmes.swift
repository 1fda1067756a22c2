import ArgumentParser
import EventServer

@main
struct Zmes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmes",
        abstract: "Push delivery relay for camera systems: the successor to the ZoneMinder Event Notification Server.",
        version: zmesVersion,
        subcommands: [
            Serve.self, CheckConfig.self, UserCommand.self, CredentialsCommand.self, TokenCommand.self, PushCommand.self, AlarmCommand.self, MonitorCommand.self, MigrateCommand.self, StoreCommand.self,
        ])
}
