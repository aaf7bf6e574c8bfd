{#- Where a raw entity comes from: its seed, or a file under var raw_data_path. -#}
{% macro raw_input(entity) -%}
    {{ return(adapter.dispatch('raw_input', 'personas')(entity)) }}
{%- endmacro %}

{% macro default__raw_input(entity) -%}
    {%- if var('raw_data_path', none) -%}
        {{ exceptions.raise_compiler_error(
            "var raw_data_path (reading raw files directly) is supported on DuckDB only; on "
            ~ target.type ~ " load the files into tables and point the seeds' schema at them."
        ) }}
    {%- endif -%}
    {{ return(ref(entity)) }}
{%- endmacro %}

{#- DuckDB reads Parquet and CSV files in place; CSV is read as text so bad values survive. -#}
{% macro duckdb__raw_input(entity) -%}
    {%- set folder = var('raw_data_path', none) -%}
    {%- if not folder -%}
        {{ return(ref(entity)) }}
    {%- endif -%}
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
