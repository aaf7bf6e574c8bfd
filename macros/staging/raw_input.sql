{#- Where a raw entity comes from: its demo seed (var load_demo_data), a file under var
    raw_data_path (DuckDB), or else the user's table <raw_schema>.<entity> (the source `raw`,
    models/staging/_raw__sources.yml), which must exist. -#}
{% macro raw_input(entity) -%}
    {%- set folder = var('raw_data_path', none) -%}
    {%- if folder and var('load_demo_data', none) is not none and personas.load_demo_data() -%}
        {{ exceptions.raise_compiler_error(
            "vars raw_data_path ('" ~ folder ~ "') and load_demo_data (true) contradict each other: "
            ~ "the raw data comes from the files or from the demo seeds. Drop one of them."
        ) }}
    {%- endif -%}
    {%- if folder -%}
        {{ return(adapter.dispatch('raw_input_file', 'personas')(entity, folder)) }}
    {%- endif -%}
    {%- if personas.load_demo_data() -%}
        {{ return(ref(entity)) }}
    {%- endif -%}
    {%- set relation = source('raw', entity) -%}
    {%- if execute and adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) is none -%}
        {{ exceptions.raise_compiler_error(
            "No raw data for '" ~ entity ~ "': the table " ~ relation ~ " does not exist. The demo "
            ~ "seeds are off (var load_demo_data" ~ (" is false" if var('load_demo_data', none) is not none
            else ": unset, they load by default on DuckDB without raw_data_path only; this is " ~ target.type)
            ~ "), so the raw data is read from your tables in schema '" ~ relation.schema ~ "' (var "
            ~ "raw_schema): load " ~ entity ~ " there, with the contract's columns as text "
            ~ "(docs/data-contract.md). To build the demo instead: "
            ~ "dbt build --vars '{load_demo_data: true}'."
        ) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- A file under var raw_data_path: DuckDB only. -#}
{% macro default__raw_input_file(entity, folder) -%}
    {{ exceptions.raise_compiler_error(
        "var raw_data_path (reading raw files directly) is supported on DuckDB only; on "
        ~ target.type ~ " load the files into tables " ~ var('raw_schema', 'raw') ~ "." ~ entity
        ~ ", ... (var raw_schema) and build without raw_data_path."
    ) }}
{%- endmacro %}

{#- DuckDB reads Parquet and CSV files in place; CSV is read as text so bad values survive. -#}
{% macro duckdb__raw_input_file(entity, folder) -%}
    {%- set base = folder | string | trim | replace('\\', '/') -%}
    {%- set base = base[:-1] if base.endswith('/') else base -%}
    {%- set parquet = base ~ '/' ~ entity ~ '.parquet' -%}
    {%- set csv = base ~ '/' ~ entity ~ '.csv' -%}
    {%- if execute -%}
        {%- set found = run_query("select file from glob('" ~ parquet ~ "') union all select file from glob('" ~ csv ~ "')").columns[0].values() | list -%}
        {%- if parquet in found -%}
            {{ return("read_parquet('" ~ parquet ~ "')") }}
        {%- elif csv in found -%}
            {{ return("read_csv('" ~ csv ~ "', header = true, all_varchar = true)") }}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "var raw_data_path is '" ~ folder ~ "' but neither " ~ parquet ~ " nor " ~ csv
            ~ " exists. Name the files after the contract's entities (raw_orders.parquet, ...)."
        ) }}
    {%- endif -%}
    {{ return("read_parquet('" ~ parquet ~ "')") }}
{%- endmacro %}
