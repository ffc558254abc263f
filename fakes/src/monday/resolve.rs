//! Field resolvers: one function per GraphQL type, mapping (node, field, args) to a [`Res`].
//! Only fields listed in [`super::schema::SUPPORTED_SDL`] reach here (the validator rejects
//! the rest); an unexpected name resolves to `null`.

use serde_json::json;

use super::activity::ActivityLog;
use super::errors::ApiError;
use super::exec::{paginate, Args, Exec, ExecResult, Node, Res};
use super::items_page::{items_page, next_items_page, parse_time};
use super::model::{
    fmt_time, Account, Board, Cell, Column, Item, Reply, State, Update, User, Workspace,
};

/// Resolves `name` on `node`.
pub fn resolve<'a>(ex: &mut Exec<'a>, node: &Node<'a>, name: &str, args: &Args) -> ExecResult<'a> {
    let acc = ex.acc;
    match node {
        Node::Query => query(ex, name, args),
        Node::Board(b) => board(ex, b, name, args),
        Node::Group(b, g) => match name {
            "id" => Ok(Res::str(&g.id)),
            "title" => Ok(Res::str(&g.title)),
            "color" => Ok(Res::str(&g.color)),
            "position" => Ok(Res::str(&g.position)),
            "archived" | "deleted" => Ok(Res::Leaf(json!(false))),
            "items_page" => items_page(ex, b, Some(g), args),
            _ => Ok(Res::Null),
        },
        Node::Column(c) => Ok(column(c, name)),
        Node::Item(i) => item(acc, i, name, args),
        // Estuary saw INTERNAL_SERVER_ERROR for `state` in nested subitems (spec §2.4).
        Node::Subitem(_) if name == "state" && ex.subitem_state_errors => Err(ApiError::Internal),
        Node::Subitem(i) => item(acc, i, name, args),
        Node::ColumnValue(_, c, cell) => Ok(column_value(c, cell, name)),
        Node::Update(u) => Ok(update(acc, u, name)),
        Node::Reply(r) => Ok(reply(acc, r, name)),
        Node::User(u) => Ok(user(acc, u, name)),
        Node::Workspace(w) => Ok(workspace(w, name)),
        Node::Complexity(c) => Ok(Res::Leaf(match name {
            "before" => json!(c.before),
            "after" => json!(c.after),
            "query" => json!(c.query),
            _ => json!(c.reset_in_x_seconds),
        })),
        Node::Asset(item, id, file, url) => Ok(asset(acc, item, *id, file, url, name)),
        Node::Version(v) => Ok(version(v, name)),
        Node::ActivityLog(l) => Ok(activity_log(acc, l, name)),
        Node::Page(cursor, items) => Ok(match name {
            "cursor" => Res::opt_str(cursor.clone()),
            _ => Res::nodes(items.iter().map(|i| Node::Item(i))),
        }),
    }
}

fn query<'a>(ex: &mut Exec<'a>, name: &str, args: &Args) -> ExecResult<'a> {
    let acc = ex.acc;
    Ok(match name {
        "me" => acc
            .users
            .first()
            .map_or(Res::Null, |u| Res::Node(Node::User(u))),
        "users" => Res::nodes(users(acc, args).into_iter().map(Node::User)),
        "workspaces" => Res::nodes(workspaces(acc, args).into_iter().map(Node::Workspace)),
        "boards" => {
            let denied = ex.unauthorized_boards;
            let entry = |b: &'a Board| {
                if denied.contains(&b.id.to_string()) {
                    Res::Denied
                } else {
                    Res::Node(Node::Board(b))
                }
            };
            Res::List(boards(acc, args).into_iter().map(entry).collect())
        }
        "items" => Res::nodes(items(acc, args)?.into_iter().map(Node::Item)),
        "next_items_page" => return next_items_page(ex, args),
        "updates" => Res::nodes(
            updates(acc, args, |u| {
                acc.item(u.item_id)
                    .is_some_and(|i| i.state != State::Deleted)
            })
            .into_iter()
            .map(Node::Update),
        ),
        "complexity" => Res::Node(Node::Complexity(ex.complexity)),
        "version" => Res::Node(Node::Version(ex.version.clone())),
        _ => Res::Null,
    })
}

fn users<'a>(acc: &'a Account, args: &Args) -> Vec<&'a User> {
    let ids = args.ids("ids");
    let emails = args.strings("emails");
    let name = args.str("name").map(str::to_lowercase);
    let kind = args.str("kind").unwrap_or("all");
    let mut v: Vec<&User> = acc
        .users
        .iter()
        .filter(|u| ids.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .filter(|u| emails.as_ref().is_none_or(|e| e.contains(&u.email)))
        .filter(|u| {
            name.as_ref()
                .is_none_or(|n| u.name.to_lowercase().contains(n))
        })
        .filter(|u| match kind {
            "guests" => u.is_guest,
            "non_guests" => !u.is_guest,
            _ => true,
        })
        .collect();
    if args.bool("newest_first") == Some(true) {
        v.reverse();
    }
    paginate(v, args.window(200))
}

fn workspaces<'a>(acc: &'a Account, args: &Args) -> Vec<&'a Workspace> {
    let ids = args.ids("ids");
    let state_ok = matches!(args.str("state"), None | Some("active") | Some("all"));
    let v = acc
        .workspaces
        .iter()
        .filter(|w| state_ok && ids.as_ref().is_none_or(|ids| ids.contains(&w.id)))
        .filter(|w| args.str("kind").is_none_or(|k| k == w.kind))
        .collect();
    paginate(v, args.window(25))
}

fn boards<'a>(acc: &'a Account, args: &Args) -> Vec<&'a Board> {
    let ids = args.ids("ids");
    let ws = args.ids("workspace_ids");
    let state = args.str("state").unwrap_or("active");
    let mut v: Vec<&Board> = acc
        .boards
        .iter()
        .filter(|b| ids.as_ref().is_none_or(|ids| ids.contains(&b.id)))
        .filter(|b| {
            ws.as_ref()
                .is_none_or(|ws| b.workspace_id.is_some_and(|w| ws.contains(&w)))
        })
        .filter(|b| args.str("board_kind").is_none_or(|k| k == b.board_kind))
        .filter(|b| state == "all" || state == b.state.as_str())
        .collect();
    if args.str("order_by") == Some("created_at") {
        v.sort_by_key(|x| std::cmp::Reverse((x.created_at, x.id)));
    }
    paginate(v, args.window(25))
}

fn items<'a>(acc: &'a Account, args: &Args) -> Result<Vec<&'a Item>, ApiError> {
    let ids = args.ids("ids");
    if ids.as_ref().is_some_and(|ids| ids.len() > 100) {
        return Err(ApiError::TooManyIds {
            field: "items",
            max: 100,
        });
    }
    let mut v: Vec<&Item> = match &ids {
        Some(ids) => ids.iter().filter_map(|id| acc.item(*id)).collect(),
        None => acc.items.values().collect(),
    };
    if args.bool("exclude_nonactive") == Some(true) {
        v.retain(|i| i.state == State::Active);
    }
    if args.bool("newest_first") == Some(true) {
        v.sort_by_key(|x| std::cmp::Reverse((x.created_at, x.id)));
    }
    Ok(paginate(v, args.window(25)))
}

/// Updates matching `keep`, newest first, filtered by `ids`/`from_date`/`to_date` and paged.
fn updates<'a>(acc: &'a Account, args: &Args, keep: impl Fn(&Update) -> bool) -> Vec<&'a Update> {
    let ids = args.ids("ids");
    let from = args.str("from_date").and_then(parse_time);
    let to = args.str("to_date").and_then(parse_time);
    let mut v: Vec<&Update> = acc
        .updates
        .iter()
        .filter(|u| keep(u) && ids.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .filter(|u| from.is_none_or(|f| u.created_at >= f) && to.is_none_or(|t| u.created_at <= t))
        .collect();
    v.sort_by_key(|x| std::cmp::Reverse((x.created_at, x.id)));
    paginate(v, args.window(25))
}

fn board<'a>(ex: &mut Exec<'a>, b: &'a Board, name: &str, args: &Args) -> ExecResult<'a> {
    let acc = ex.acc;
    Ok(match name {
        "id" => Res::str(b.id.to_string()),
        "name" => Res::str(&b.name),
        "description" => Res::opt_str(b.description.clone()),
        "state" => Res::str(b.state.as_str()),
        "board_kind" => Res::str(&b.board_kind),
        "type" => Res::str(&b.board_type),
        "workspace_id" => Res::opt_str(b.workspace_id.map(|w| w.to_string())),
        "workspace" => b
            .workspace_id
            .and_then(|w| acc.workspace(w))
            .map_or(Res::Null, |w| Res::Node(Node::Workspace(w))),
        "url" => Res::str(format!("https://{}.monday.com/boards/{}", acc.slug, b.id)),
        "updated_at" => Res::str(fmt_time(b.updated_at)),
        "created_at" => Res::str(fmt_time(b.created_at)),
        "permissions" => Res::str("everyone"),
        "hierarchy_type" => Res::str("classic"),
        "items_count" => Res::Leaf(json!(acc
            .board_items(b.id)
            .iter()
            .filter(|i| i.state == State::Active)
            .count())),
        "creator" => acc
            .user(b.creator_id)
            .map_or(Res::Null, |u| Res::Node(Node::User(u))),
        "top_group" => b
            .groups
            .first()
            .map_or(Res::Null, |g| Res::Node(Node::Group(b, g))),
        "groups" => {
            let ids = args.strings("ids");
            Res::nodes(
                b.groups
                    .iter()
                    .filter(|g| ids.as_ref().is_none_or(|ids| ids.contains(&g.id)))
                    .map(|g| Node::Group(b, g)),
            )
        }
        "columns" => Res::nodes(filter_columns(b.columns.iter(), args).map(Node::Column)),
        "activity_logs" => Res::nodes(
            activity_logs(acc, b, args)
                .into_iter()
                .map(Node::ActivityLog),
        ),
        "items_page" => return items_page(ex, b, None, args),
        "updates" => {
            let on_board = |u: &Update| {
                acc.item(u.item_id)
                    .is_some_and(|i| i.board_id == b.id && i.state != State::Deleted)
            };
            Res::nodes(updates(acc, args, on_board).into_iter().map(Node::Update))
        }
        _ => Res::Null,
    })
}

fn filter_columns<'a, 'b>(
    cols: impl Iterator<Item = &'a Column> + 'b,
    args: &'b Args,
) -> impl Iterator<Item = &'a Column> + 'b {
    let ids = args.strings("ids");
    let types = args.strings("types");
    cols.filter(move |c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .filter(move |c| types.as_ref().is_none_or(|t| t.contains(&c.col_type)))
}

fn column<'a>(c: &Column, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(&c.id),
        "title" => Res::str(&c.title),
        "type" => Res::str(&c.col_type),
        "description" => Res::opt_str(c.description.clone()),
        "width" => c.width.map_or(Res::Null, |w| Res::Leaf(json!(w))),
        "archived" => Res::Leaf(json!(false)),
        "settings" => Res::Leaf(c.settings.clone()),
        "settings_str" => Res::str(c.settings.to_string()),
        _ => Res::Null,
    }
}

fn item<'a>(acc: &'a Account, i: &'a Item, name: &str, args: &Args) -> ExecResult<'a> {
    let board = acc.board(i.board_id);
    Ok(match name {
        "id" => Res::str(i.id.to_string()),
        "name" => Res::str(&i.name),
        "state" => Res::str(i.state.as_str()),
        "created_at" => Res::str(fmt_time(i.created_at)),
        "updated_at" => Res::str(fmt_time(i.updated_at)),
        "url" => Res::str(format!(
            "https://{}.monday.com/boards/{}/pulses/{}",
            acc.slug, i.board_id, i.id
        )),
        "relative_link" => Res::str(format!("/boards/{}/pulses/{}", i.board_id, i.id)),
        "email" => Res::str(format!(
            "{}_pulse_{}_{:x}@use1.mx.monday.com",
            acc.slug,
            i.id,
            i.id % 0xffff_ffff
        )),
        "board" => board.map_or(Res::Null, |b| Res::Node(Node::Board(b))),
        "group" => board
            .and_then(|b| b.group(&i.group_id).map(|g| Node::Group(b, g)))
            .map_or(Res::Null, Res::Node),
        "creator" => acc
            .user(i.creator_id)
            .map_or(Res::Null, |u| Res::Node(Node::User(u))),
        "creator_id" => Res::str(i.creator_id.to_string()),
        "column_values" => {
            let cols = board.map(|b| &b.columns[..]).unwrap_or_default();
            let cols = filter_columns(cols.iter().filter(|c| c.col_type != "name"), args);
            Res::nodes(
                cols.map(|c| Node::ColumnValue(i, c, acc.cell_or_empty(i, c)))
                    .collect::<Vec<_>>(),
            )
        }
        "subitems" => Res::nodes(
            i.subitem_ids
                .iter()
                .filter_map(|s| acc.item(*s))
                .filter(|s| s.state == State::Active)
                .map(Node::Subitem),
        ),
        "parent_item" => i
            .parent_id
            .and_then(|p| acc.item(p))
            .map_or(Res::Null, |p| Res::Node(Node::Item(p))),
        "assets" => Res::nodes(assets(acc, i, args)),
        "updates" => Res::nodes(
            updates(acc, args, |u| u.item_id == i.id)
                .into_iter()
                .map(Node::Update),
        ),
        _ => Res::Null,
    })
}

fn column_value<'a>(c: &'a Column, cell: &Cell, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(&c.id),
        "type" => Res::str(&c.col_type),
        "text" => Res::opt_str(cell.text.clone()),
        "value" => Res::opt_str(cell.value.as_ref().map(|v| v.to_string())),
        "column" => Res::Node(Node::Column(c)),
        "display_value" => Res::str(cell.display_value.clone().unwrap_or_default()),
        "linked_item_ids" => Res::List(
            cell.linked_item_ids
                .iter()
                .map(|id| Res::str(id.to_string()))
                .collect(),
        ),
        "index" => cell
            .value
            .as_ref()
            .and_then(|v| v.get("index"))
            .map_or(Res::Null, |v| Res::Leaf(v.clone())),
        "label" => Res::opt_str(cell.text.clone()),
        _ => Res::Null,
    }
}

fn update<'a>(acc: &'a Account, u: &'a Update, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(u.id.to_string()),
        "body" => Res::str(&u.body),
        "text_body" => Res::str(&u.text_body),
        "created_at" | "updated_at" | "edited_at" => Res::str(fmt_time(u.created_at)),
        "creator" => acc
            .user(u.creator_id)
            .map_or(Res::Null, |x| Res::Node(Node::User(x))),
        "creator_id" => Res::str(u.creator_id.to_string()),
        "item_id" => Res::str(u.item_id.to_string()),
        "item" => acc
            .item(u.item_id)
            .map_or(Res::Null, |i| Res::Node(Node::Item(i))),
        "replies" => Res::nodes(u.replies.iter().map(Node::Reply)),
        _ => Res::Null,
    }
}

fn reply<'a>(acc: &'a Account, r: &'a Reply, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(r.id.to_string()),
        "body" => Res::str(&r.body),
        "text_body" => Res::str(&r.text_body),
        "kind" => Res::str("update"),
        "created_at" | "updated_at" | "edited_at" => Res::str(fmt_time(r.created_at)),
        "creator" => acc
            .user(r.creator_id)
            .map_or(Res::Null, |x| Res::Node(Node::User(x))),
        "creator_id" => Res::str(r.creator_id.to_string()),
        _ => Res::Null,
    }
}

fn user<'a>(acc: &Account, u: &User, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(u.id.to_string()),
        "name" => Res::str(&u.name),
        "email" => Res::str(&u.email),
        "title" => Res::str(&u.title),
        "enabled" => Res::Leaf(json!(true)),
        "is_admin" => Res::Leaf(json!(u.is_admin)),
        "is_guest" => Res::Leaf(json!(u.is_guest)),
        "created_at" => Res::str(fmt_time(u.created_at)),
        "url" => Res::str(format!("https://{}.monday.com/users/{}", acc.slug, u.id)),
        _ => Res::Null,
    }
}

fn workspace<'a>(w: &Workspace, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(w.id.to_string()),
        "name" => Res::str(&w.name),
        "description" => Res::str(&w.description),
        "kind" => Res::str(&w.kind),
        "state" => Res::str("active"),
        "created_at" => Res::str(fmt_time(w.created_at)),
        _ => Res::Null,
    }
}

/// The files of an item's `file` columns (optionally only `column_ids`).
fn assets<'a>(acc: &'a Account, i: &'a Item, args: &Args) -> Vec<Node<'a>> {
    let only = args.strings("column_ids");
    let Some(board) = acc.board(i.board_id) else {
        return vec![];
    };
    let mut out = vec![];
    for col in board.columns.iter().filter(|c| c.col_type == "file") {
        if only.as_ref().is_some_and(|ids| !ids.contains(&col.id)) {
            continue;
        }
        let Some(cell) = i.cells.get(&col.id) else {
            continue;
        };
        let urls: Vec<&str> = cell
            .text
            .as_deref()
            .unwrap_or_default()
            .split(", ")
            .collect();
        let files = cell
            .value
            .as_ref()
            .and_then(|v| v.get("files"))
            .and_then(|f| f.as_array());
        for (n, f) in files.into_iter().flatten().enumerate() {
            let id = f
                .get("assetId")
                .and_then(|a| a.as_u64())
                .unwrap_or_default();
            let name = f
                .get("name")
                .and_then(|a| a.as_str())
                .unwrap_or_default()
                .to_string();
            let url = urls.get(n).copied().unwrap_or_default().to_string();
            out.push(Node::Asset(i, id, name, url));
        }
    }
    out
}

fn asset<'a>(acc: &'a Account, i: &Item, id: u64, file: &str, url: &str, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(id.to_string()),
        "name" => Res::str(file),
        "url" => Res::str(url),
        "public_url" => Res::str(format!(
            "https://files-monday-com.s3.amazonaws.com/{}/resources/{id}/{file}",
            acc.id
        )),
        "file_extension" => Res::str(
            file.rfind('.')
                .map_or(String::new(), |p| file[p..].to_string()),
        ),
        "file_size" => Res::Leaf(json!(10_000 + id % 990_000)),
        "created_at" => Res::str(fmt_time(i.created_at)),
        "uploaded_by" => acc
            .user(i.creator_id)
            .map_or(Res::Null, |u| Res::Node(Node::User(u))),
        _ => Res::Null,
    }
}

/// `version { kind value display_name }` for the served version.
fn version<'a>(v: &str, name: &str) -> Res<'a> {
    use super::server::DEFAULT_VERSION;
    let (kind, display) = match v {
        "dev" => ("dev", "Development"),
        v if v == DEFAULT_VERSION => ("current", "Current"),
        v if v > DEFAULT_VERSION => ("release_candidate", "Release Candidate"),
        _ => ("maintenance", "Maintenance"),
    };
    match name {
        "kind" => Res::str(kind),
        "value" => Res::str(v),
        _ => Res::str(display),
    }
}

/// A board's activity logs, newest first, filtered like the real arguments.
fn activity_logs<'a>(acc: &'a Account, b: &Board, args: &Args) -> Vec<&'a ActivityLog> {
    let from = args.str("from").and_then(parse_time);
    let to = args.str("to").and_then(parse_time);
    let items = args.ids("item_ids");
    let users = args.ids("user_ids");
    let columns = args.strings("column_ids");
    let groups = args.strings("group_ids");
    let str_of =
        |l: &ActivityLog, k: &str| l.data.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let mut v: Vec<&ActivityLog> = acc
        .activity_logs
        .iter()
        .filter(|l| l.board_id == b.id)
        .filter(|l| from.is_none_or(|f| l.created_at >= f) && to.is_none_or(|t| l.created_at <= t))
        .filter(|l| {
            items
                .as_ref()
                .is_none_or(|ids| l.item_id().is_some_and(|i| ids.contains(&i)))
        })
        .filter(|l| users.as_ref().is_none_or(|ids| ids.contains(&l.user_id)))
        .filter(|l| {
            columns
                .as_ref()
                .is_none_or(|c| str_of(l, "column_id").is_some_and(|x| c.contains(&x)))
        })
        .filter(|l| {
            groups
                .as_ref()
                .is_none_or(|g| str_of(l, "group_id").is_some_and(|x| g.contains(&x)))
        })
        .collect();
    v.sort_by_key(|l| std::cmp::Reverse(l.created_at));
    paginate(v, args.window(25))
}

fn activity_log<'a>(acc: &Account, l: &ActivityLog, name: &str) -> Res<'a> {
    match name {
        "id" => Res::str(&l.id),
        "account_id" => Res::str(acc.id.to_string()),
        "created_at" => Res::str(l.created_at_17()),
        "data" => Res::str(l.data.to_string()),
        "entity" => Res::str(&l.entity),
        "event" => Res::str(&l.event),
        _ => Res::str(l.user_id.to_string()),
    }
}
