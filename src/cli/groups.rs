//! `groups list|create|rename|delete|add|remove|schedule|start`.

use std::process::ExitCode;

use clap::Subcommand;
use frontdesk::gallery::{DEFAULT_GRACE, Gallery, Group, PersonId, Schedule, Weekdays};
use frontdesk::report::group_json;
use jiff::SignedDuration;
use jiff::civil::Time;
use serde_json::json;

use super::output::{count, date_time};
use super::{Context, Output};

#[derive(Debug, Subcommand)]
pub enum GroupsAction {
    /// Every group with its schedule and members
    List {
        #[command(flatten)]
        output: Output,
    },
    /// Create a group (a class, a team, a course), optionally with a weekly schedule
    Create {
        /// The group's name (unique, ignoring case)
        name: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        #[command(flatten)]
        output: Output,
    },
    /// Rename a group
    Rename {
        /// The group's name
        name: String,
        /// Its new name
        new_name: String,
        #[command(flatten)]
        output: Output,
    },
    /// Delete a group with its schedule and sessions; its members stay enrolled
    Delete {
        /// The group's name
        name: String,
        #[command(flatten)]
        output: Output,
    },
    /// Add people (by id, see `frontdesk people list`) to a group
    Add {
        /// The group's name
        name: String,
        /// Ids of the people to add
        #[arg(required = true)]
        people: Vec<PersonId>,
        #[command(flatten)]
        output: Output,
    },
    /// Remove people from a group
    Remove {
        /// The group's name
        name: String,
        /// Ids of the people to remove
        #[arg(required = true)]
        people: Vec<PersonId>,
        #[command(flatten)]
        output: Output,
    },
    /// Set or remove a group's weekly schedule and grace period
    Schedule {
        /// The group's name
        name: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// Remove the weekly schedule (roll calls are then started by hand)
        #[arg(long, conflicts_with_all = ["days", "start"])]
        none: bool,
        #[command(flatten)]
        output: Output,
    },
    /// Start a roll call of a group now (or at --at), outside its schedule
    Start {
        /// The group's name
        name: String,
        /// When the session starts (RFC 3339) [default: now]
        #[arg(long, value_parser = parse_instant)]
        at: Option<i64>,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// Days it meets: mon,wed,fri or a range such as mon-fri, or daily
    #[arg(long, requires = "start")]
    days: Option<Weekdays>,
    /// Time it starts on those days (HH:MM, the kiosk's time zone)
    #[arg(long, requires = "days", value_parser = parse_time)]
    start: Option<Time>,
    /// How long after the start an arrival still counts as on time, e.g. 10m or 0s [default: 10m]
    #[arg(long)]
    grace: Option<SignedDuration>,
}

impl ScheduleArgs {
    fn schedule(&self) -> Option<Schedule> {
        self.days
            .zip(self.start)
            .map(|(weekdays, start)| Schedule { weekdays, start })
    }
}

fn parse_time(text: &str) -> Result<Time, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a time of day like 09:00"))
}

fn parse_instant(text: &str) -> Result<i64, String> {
    text.parse::<jiff::Timestamp>()
        .map(jiff::Timestamp::as_millisecond)
        .map_err(|_| format!("`{text}` is not an RFC 3339 time like 2026-11-28T09:00:00Z"))
}

pub fn require(gallery: &Gallery, name: &str) -> anyhow::Result<Group> {
    gallery.group_named(name)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no group named `{name}`; `frontdesk groups list` shows the groups and \
             `frontdesk groups create NAME` makes one"
        )
    })
}

fn require_person(gallery: &Gallery, id: PersonId) -> anyhow::Result<()> {
    match gallery.person(id)? {
        Some(_) => Ok(()),
        None => {
            anyhow::bail!("no person with id {id}; `frontdesk people list` shows who is enrolled")
        }
    }
}

pub fn run(context: &Context, action: GroupsAction) -> anyhow::Result<ExitCode> {
    let mut gallery = context.gallery()?;
    match action {
        GroupsAction::List { output } => list(&gallery, output)?,
        GroupsAction::Create {
            name,
            schedule,
            output,
        } => {
            let id = gallery.create_group(
                &name,
                schedule.schedule(),
                schedule.grace.unwrap_or(DEFAULT_GRACE),
            )?;
            print_group(output, "Created", &require_id(&gallery, id)?);
        }
        GroupsAction::Rename {
            name,
            new_name,
            output,
        } => {
            let group = require(&gallery, &name)?;
            gallery.rename_group(group.id, &new_name)?;
            print_group(output, "Renamed", &require_id(&gallery, group.id)?);
        }
        GroupsAction::Delete { name, output } => {
            let group = require(&gallery, &name)?;
            gallery.delete_group(group.id)?;
            output.print(
                &format!(
                    "Deleted the group {} with its schedule and roll calls; its members stay enrolled.",
                    group.name
                ),
                &json!({"deleted": group.id, "name": group.name}),
            );
        }
        GroupsAction::Add {
            name,
            people,
            output,
        } => {
            let group = require(&gallery, &name)?;
            for id in &people {
                require_person(&gallery, *id)?;
            }
            for id in people {
                gallery.add_member(group.id, id)?;
            }
            print_group(output, "Saved", &require_id(&gallery, group.id)?);
        }
        GroupsAction::Remove {
            name,
            people,
            output,
        } => {
            let group = require(&gallery, &name)?;
            for id in people {
                if !gallery.remove_member(group.id, id)? {
                    eprintln!("frontdesk: person #{id} was not a member of {}", group.name);
                }
            }
            print_group(output, "Saved", &require_id(&gallery, group.id)?);
        }
        GroupsAction::Schedule {
            name,
            schedule,
            none,
            output,
        } => set_schedule(&mut gallery, &name, &schedule, none, output)?,
        GroupsAction::Start { name, at, output } => {
            let group = require(&gallery, &name)?;
            let at = at.unwrap_or_else(frontdesk::gallery::now_ms);
            gallery.start_session(group.id, at)?;
            output.print(
                &format!(
                    "Started a roll call of {} at {}.",
                    group.name,
                    date_time(at)
                ),
                &json!({
                    "group": {"id": group.id, "name": group.name},
                    "starts_at": frontdesk::gallery::format_timestamp(at),
                }),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(gallery: &Gallery, output: Output) -> anyhow::Result<()> {
    let mut list = output.list(&["ID", "NAME", "SCHEDULE", "GRACE", "MEMBERS"]);
    for group in gallery.groups()? {
        list.push(
            vec![
                group.id.to_string(),
                group.name.clone(),
                schedule_text(&group),
                format!("{:#}", group.grace),
                members_text(&group),
            ],
            &group_json(&group),
        );
    }
    list.finish("No group yet; `frontdesk groups create NAME` makes one.");
    Ok(())
}

fn set_schedule(
    gallery: &mut Gallery,
    name: &str,
    schedule: &ScheduleArgs,
    none: bool,
    output: Output,
) -> anyhow::Result<()> {
    let group = require(gallery, name)?;
    anyhow::ensure!(
        none || schedule.schedule().is_some() || schedule.grace.is_some(),
        "say when the group meets (--days mon-fri --start 09:00), its --grace, or --none"
    );
    let new_schedule = if none {
        None
    } else {
        schedule.schedule().or(group.schedule)
    };
    gallery.set_group_schedule(
        group.id,
        new_schedule,
        schedule.grace.unwrap_or(group.grace),
    )?;
    print_group(output, "Saved", &require_id(gallery, group.id)?);
    Ok(())
}

/// A group as it now is, after `done` (Created, Saved...).
fn print_group(output: Output, done: &str, group: &Group) {
    let members = match group.members.len() {
        0 => "no members yet".to_owned(),
        n => format!("{}: {}", count(n, "member", "members"), members_text(group)),
    };
    output.print(
        &format!(
            "{done} the group {} (#{}): {}, {:#} of grace; {members}.",
            group.name,
            group.id,
            match group.schedule {
                Some(_) => format!("meets {}", schedule_text(group)),
                None => "roll calls started by hand".to_owned(),
            },
            group.grace,
        ),
        &group_json(group),
    );
}

/// "mon,tue,wed,thu,fri 09:00", or that roll calls are started by hand.
fn schedule_text(group: &Group) -> String {
    group.schedule.map_or_else(
        || "by hand".to_owned(),
        |s| format!("{} {}", s.weekdays, s.start.strftime("%H:%M")),
    )
}

/// The members by name; those the kiosk may not recognise are never counted absent, so say so.
fn members_text(group: &Group) -> String {
    group
        .members
        .iter()
        .map(|m| {
            if m.tracked {
                format!("{} (#{})", m.name, m.person_id)
            } else {
                format!("{} (#{}, not tracked: no consent)", m.name, m.person_id)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn require_id(gallery: &Gallery, id: frontdesk::gallery::GroupId) -> anyhow::Result<Group> {
    gallery
        .group(id)?
        .ok_or_else(|| anyhow::anyhow!("group #{id} was deleted meanwhile"))
}
