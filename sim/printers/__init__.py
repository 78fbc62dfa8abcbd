"""kubectl's output: tables, describe, yaml/json/name, jsonpath and custom-columns."""
from .describe import describe, supported_describers
from .custom_columns import CustomColumnsError, custom_columns
from .duration import format_age, translate_timestamp_since
from .jsonpath import (JSONPathError, check_jsonpath, jsonpath, jsonpath_as_json,
                       jsonpath_values)
from .sorting import SortError, sort_objects
from .jsonfmt import to_json_chunks
from .structured import as_list, to_json, to_name, to_yaml
from .table import (kind_prefix, print_table, print_table_chunks, supported_tables,
                    table_cells, table_columns)

__all__ = [
    "format_age", "translate_timestamp_since", "kind_prefix", "print_table",
    "print_table_chunks", "to_json_chunks",
    "supported_tables", "table_cells", "table_columns", "as_list", "to_json", "to_yaml",
    "to_name", "sort_objects", "SortError", "describe", "supported_describers", "jsonpath", "jsonpath_as_json", "jsonpath_values", "check_jsonpath", "JSONPathError", "custom_columns", "CustomColumnsError",
]
