//! The supported subset of monday.com's official GraphQL schema (API 2026-01).
//!
//! [`SUPPORTED_SDL`] is an excerpt of `fixtures/monday/schema/monday_schema_sdl_2026-01.graphql`:
//! every type, field, argument and default below is copied from the official SDL (a test checks
//! it), but only the parts the fake actually serves are listed. One addition comes from the
//! 2026-10 SDL: `Board.updates(from_date, to_date)`, which the spec (§2.5) and the official
//! python SDK document as available from 2026-01. The validator rejects anything
//! else with monday's real validation error, so a crawler cannot drift from the real API.
//! [`Schema`] is the parsed lookup table: type name → [`TypeDef`] → [`FieldDef`] / [`ArgDef`].

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql_parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql_value::ConstValue;

/// The served subset of the official SDL, verbatim field by field.
pub const SUPPORTED_SDL: &str = r#"
type Query {
  updates(limit: Int = 25, page: Int = 1, ids: [ID!], from_date: String, to_date: String): [Update!]
  boards(board_kind: BoardKind, hierarchy_types: [BoardHierarchy!], ids: [ID!], latest: Boolean, limit: Int = 25, order_by: BoardsOrderBy, page: Int = 1, state: State = active, workspace_ids: [ID]): [Board]
  complexity: Complexity
  items(exclude_nonactive: Boolean, ids: [ID!], limit: Int = 25, newest_first: Boolean, page: Int = 1): [Item]
  me: User
  next_items_page(cursor: String!, limit: Int! = 25): ItemsResponse!
  version: Version!
  users(emails: [String], ids: [ID!], kind: UserKind, limit: Int, name: String, newest_first: Boolean, non_active: Boolean, page: Int): [User]
  workspaces(ids: [ID!], kind: WorkspaceKind, limit: Int = 25, order_by: WorkspacesOrderBy, page: Int = 1, state: State = active): [Workspace]
}
type Board {
  id: ID!
  updates(limit: Int = 25, page: Int = 1, ids: [ID!], board_updates_only: Boolean, from_date: ISO8601DateTime, to_date: ISO8601DateTime): [Update!]
  columns(ids: [String], types: [ColumnType!]): [Column]
  activity_logs(column_ids: [String], from: ISO8601DateTime, group_ids: [String], item_ids: [ID!], limit: Int = 25, page: Int = 1, to: ISO8601DateTime, user_ids: [ID!]): [ActivityLogType]
  board_kind: BoardKind!
  created_at: ISO8601DateTime
  creator: User!
  description: String
  groups(ids: [String]): [Group]
  hierarchy_type: BoardHierarchy
  items_count: Int
  items_page(cursor: String, hierarchy_scope_config: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
  name: String!
  permissions: String!
  state: State!
  top_group: Group!
  type: BoardObjectType
  updated_at: ISO8601DateTime
  url: String!
  workspace: Workspace
  workspace_id: ID
}
type Group {
  archived: Boolean
  color: String!
  deleted: Boolean
  id: ID!
  items_page(cursor: String, hierarchy_scope_config: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
  position: String!
  title: String!
}
type Column {
  id: ID!
  title: String!
  description: String
  type: ColumnType!
  width: Int
  archived: Boolean!
  settings: JSON
  settings_str: String!
}
type Item {
  id: ID!
  updates(limit: Int = 25, page: Int = 1, ids: [ID!]): [Update!]
  assets(assets_source: AssetsSource, column_ids: [String]): [Asset]
  board: Board
  column_values(ids: [String!], types: [ColumnType!]): [ColumnValue!]!
  created_at: Date
  creator: User
  creator_id: String!
  email: String!
  group: Group
  name: String!
  parent_item: Item
  relative_link: String
  state: State
  subitems: [Item]
  updated_at: Date
  url: String!
}
type Asset {
  created_at: Date
  file_extension: String!
  file_size: Int!
  id: ID!
  name: String!
  public_url: String!
  uploaded_by: User!
  url: String!
}
type ActivityLogType {
  account_id: String!
  created_at: String!
  data: String!
  entity: String!
  event: String!
  id: String!
  user_id: String!
}
type Version {
  display_name: String!
  kind: VersionKind!
  value: String!
}
enum VersionKind { current deprecated dev maintenance old__maintenance old_previous_maintenance previous_maintenance release_candidate }
enum AssetsSource { all columns gallery }
type ItemsResponse {
  cursor: String
  items: [Item!]!
}
type Update {
  id: ID!
  body: String!
  creator_id: String
  edited_at: Date!
  creator: User
  created_at: Date
  updated_at: Date
  item_id: String
  item: Item
  replies: [Reply!]
  text_body: String
}
type Reply {
  id: ID!
  body: String!
  kind: String!
  creator_id: String
  edited_at: Date!
  creator: User
  created_at: Date
  updated_at: Date
  text_body: String
}
type User {
  id: ID!
  created_at: Date
  email: String!
  enabled: Boolean!
  is_admin: Boolean
  is_guest: Boolean
  name: String!
  title: String
  url: String!
}
type Workspace {
  created_at: Date
  description: String
  id: ID
  kind: WorkspaceKind
  name: String!
  state: State
}
type Complexity {
  after: Int!
  before: Int!
  query: Int!
  reset_in_x_seconds: Int!
}
interface ColumnValue {
  column: Column!
  id: ID!
  text: String
  type: ColumnType!
  value: JSON
}
type BoardRelationValue implements ColumnValue {
  column: Column!
  display_value: String!
  id: ID!
  linked_item_ids: [ID!]!
  text: String
  type: ColumnType!
  value: JSON
}
type CheckboxValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type CountryValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type DateValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type DependencyValue implements ColumnValue {
  column: Column!
  display_value: String!
  id: ID!
  linked_item_ids: [ID!]!
  text: String
  type: ColumnType!
  value: JSON
}
type DropdownValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type EmailValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type FileValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type FormulaValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON display_value: String! }
type HourValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type LinkValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type LocationValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type LongTextValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type MirrorValue implements ColumnValue {
  column: Column!
  display_value: String!
  id: ID!
  text: String
  type: ColumnType!
  value: JSON
}
type NumbersValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type PeopleValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type PhoneValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type RatingValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type StatusValue implements ColumnValue { column: Column! id: ID! index: Int label: String text: String type: ColumnType! value: JSON }
type SubtasksValue implements ColumnValue { column: Column! display_value: String! id: ID! text: String type: ColumnType! value: JSON }
type TagsValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type TextValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type TimelineValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type WeekValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
type WorldClockValue implements ColumnValue { column: Column! id: ID! text: String type: ColumnType! value: JSON }
input ItemsQuery {
  groups: [ItemsQueryGroup!]
  ids: [ID!]
  operator: ItemsQueryOperator = and
  order_by: [ItemsQueryOrderBy!]
  rules: [ItemsQueryRule!]
}
input ItemsQueryRule {
  column_id: ID!
  compare_value: CompareValue!
  compare_attribute: String
  operator: ItemsQueryRuleOperator = any_of
}
input ItemsQueryOrderBy {
  column_id: String!
  direction: ItemsOrderByDirection = asc
}
input ItemsQueryGroup {
  rules: [ItemsQueryRule!]
  groups: [ItemsQueryGroup!]
  operator: ItemsQueryOperator = and
}
enum State { active all archived deleted }
enum BoardKind { private public share }
enum BoardsOrderBy { created_at used_at }
enum BoardObjectType { board custom_object document sub_items_board }
enum BoardHierarchy { classic multi_level }
enum ItemsQueryOperator { or and }
enum ItemsQueryRuleOperator { any_of not_any_of is_empty is_not_empty greater_than greater_than_or_equals lower_than lower_than_or_equal between not_contains_text contains_text contains_terms starts_with ends_with within_the_next within_the_last }
enum ItemsOrderByDirection { asc desc }
enum WorkspaceKind { closed open template }
enum WorkspacesOrderBy { created_at }
enum UserKind { all guests non_guests non_pending }
enum ColumnType { auto_number board_relation button checkbox color_picker country creation_log date dependency doc dropdown email file formula group hour integration item_assignees item_id last_updated link location long_text mirror numbers people phone progress rating status tags team text timeline time_tracking vote week world_clock unsupported name person direct_doc subtasks }
scalar CompareValue
scalar Date
scalar ISO8601DateTime
scalar JSON
"#;

/// What kind of named type a [`TypeDef`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Built-in or custom scalar (`ID`, `JSON`, …).
    Scalar,
    /// Output object type.
    Object,
    /// Interface (`ColumnValue`).
    Interface,
    /// Input object (`ItemsQuery`, …).
    Input,
    /// Enum with its allowed values.
    Enum(Vec<String>),
}

/// One argument or input field: name, declared type and default literal.
#[derive(Debug, Clone)]
pub struct ArgDef {
    pub name: String,
    pub ty: Type,
    pub default: Option<ConstValue>,
}

/// One output field with its arguments.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub ty: Type,
    pub args: Vec<ArgDef>,
}

impl FieldDef {
    /// The argument called `name`, if the field declares it.
    pub fn arg(&self, name: &str) -> Option<&ArgDef> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// One named type: its kind, output fields (objects, interfaces), input fields, interfaces.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub kind: Kind,
    pub fields: Vec<FieldDef>,
    pub input_fields: Vec<ArgDef>,
    pub implements: Vec<String>,
}

impl TypeDef {
    /// The output field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The parsed supported schema.
#[derive(Debug)]
pub struct Schema {
    types: HashMap<String, TypeDef>,
}

impl Schema {
    /// The shared, parsed [`SUPPORTED_SDL`].
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::parse(SUPPORTED_SDL).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Parses an SDL text (only used on the constant above and in tests).
    pub fn parse(sdl: &str) -> Result<Schema, String> {
        let doc = async_graphql_parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut types: HashMap<String, TypeDef> = ["ID", "String", "Int", "Float", "Boolean"]
            .iter()
            .map(|n| (n.to_string(), scalar(n)))
            .collect();
        for def in doc.definitions {
            if let TypeSystemDefinition::Type(t) = def {
                let t = t.node;
                let name = t.name.node.to_string();
                types.insert(name.clone(), convert(name, t.kind));
            }
        }
        Ok(Schema { types })
    }

    /// The type called `name`.
    pub fn ty(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// Whether an object of type `concrete` matches a fragment condition `cond`.
    pub fn type_matches(&self, concrete: &str, cond: &str) -> bool {
        concrete == cond
            || self
                .ty(concrete)
                .is_some_and(|t| t.implements.iter().any(|i| i == cond))
    }

    /// All type names (for the SDL conformance test).
    pub fn type_names(&self) -> impl Iterator<Item = &String> {
        self.types.keys()
    }
}

fn scalar(name: &str) -> TypeDef {
    TypeDef {
        name: name.to_string(),
        kind: Kind::Scalar,
        fields: vec![],
        input_fields: vec![],
        implements: vec![],
    }
}

fn convert(name: String, kind: TypeKind) -> TypeDef {
    let mut def = scalar(&name);
    match kind {
        TypeKind::Scalar | TypeKind::Union(_) => {}
        TypeKind::Object(o) => {
            def.kind = Kind::Object;
            def.implements = o.implements.iter().map(|n| n.node.to_string()).collect();
            def.fields = o.fields.into_iter().map(|f| field_def(f.node)).collect();
        }
        TypeKind::Interface(i) => {
            def.kind = Kind::Interface;
            def.fields = i.fields.into_iter().map(|f| field_def(f.node)).collect();
        }
        TypeKind::Enum(e) => {
            def.kind = Kind::Enum(
                e.values
                    .iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect(),
            );
        }
        TypeKind::InputObject(i) => {
            def.kind = Kind::Input;
            def.input_fields = i.fields.into_iter().map(|f| arg_def(f.node)).collect();
        }
    }
    def
}

fn field_def(f: async_graphql_parser::types::FieldDefinition) -> FieldDef {
    FieldDef {
        name: f.name.node.to_string(),
        ty: f.ty.node,
        args: f.arguments.into_iter().map(|a| arg_def(a.node)).collect(),
    }
}

fn arg_def(a: async_graphql_parser::types::InputValueDefinition) -> ArgDef {
    ArgDef {
        name: a.name.node.to_string(),
        ty: a.ty.node,
        default: a.default_value.map(|d| d.node),
    }
}

/// The innermost named type of `ty` (`[Item!]!` → `Item`).
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// Whether `ty` is a list at its outer level (ignoring non-null).
pub fn is_list(ty: &Type) -> bool {
    matches!(ty.base, BaseType::List(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official(version: &str) -> Option<Schema> {
        let path = crate::fixtures::path(&format!(
            "monday/schema/monday_schema_sdl_{version}.graphql"
        ));
        let text = std::fs::read_to_string(path).ok()?;
        Some(Schema::parse(&text).expect("official SDL parses"))
    }

    #[test]
    fn supported_sdl_parses() {
        let s = Schema::get();
        assert!(s
            .ty("Item")
            .and_then(|t| t.field("column_values"))
            .is_some());
        assert!(s.type_matches("MirrorValue", "ColumnValue"));
    }

    /// Every type, field, argument and default in the subset exists identically upstream
    /// (in the 2026-01 SDL, or else in the 2026-10 one).
    #[test]
    fn supported_sdl_is_a_subset_of_the_official_sdl() {
        crate::require_fixtures!();
        let (Some(v01), Some(v10)) = (official("2026-01"), official("2026-10")) else {
            panic!(
                "official SDLs missing from {}",
                crate::fixtures::dir().display()
            );
        };
        let ours = Schema::get();
        for name in ours.type_names() {
            let mine = ours.ty(name).unwrap();
            let theirs = v01.ty(name).unwrap();
            assert_eq!(mine.kind, theirs.kind, "enum values of {name}");
            for f in &mine.fields {
                for a in &f.args {
                    let found = [&v01, &v10]
                        .iter()
                        .find_map(|s| s.ty(name)?.field(&f.name)?.arg(&a.name).cloned());
                    let ta = found.unwrap_or_else(|| panic!("{name}.{}({})", f.name, a.name));
                    assert_eq!(
                        (a.ty.to_string(), &a.default),
                        (ta.ty.to_string(), &ta.default)
                    );
                }
                let tf = theirs
                    .field(&f.name)
                    .unwrap_or_else(|| panic!("{name}.{}", f.name));
                assert_eq!(f.ty.to_string(), tf.ty.to_string(), "{name}.{}", f.name);
            }
            for a in &mine.input_fields {
                let ta = theirs
                    .input_fields
                    .iter()
                    .find(|t| t.name == a.name)
                    .unwrap();
                assert_eq!(
                    (a.ty.to_string(), &a.default),
                    (ta.ty.to_string(), &ta.default)
                );
            }
        }
    }
}
