{#- Publish the marts for BI: a read-safe copy of every model of models/marts, written beside
    the warehouse and swapped in atomically, so a BI tool reading published/ never sees a
    half-finished build and is never blocked by the build's lock on the warehouse file.

    Runs as the project's on-run-end hook (dbt_project.yml) after `dbt build`, and by hand
    with `dbt run-operation publish_marts` (after a `dbt run` and `dbt test`, say). It
    publishes nothing, and leaves the previous copy as it was, when a node of the run failed
    (an error, a failing data or unit test), when var `publish` is false, or on another engine
    than DuckDB (PostgreSQL and Spark swap each table atomically already: README, "Reading the
    marts").

    The folder is env var PERSONAS_PUBLISH_DIR (default `published`, beside dbt_project.yml).
    This macro copies the data with DuckDB (ATTACH a new file, one table and one Parquet file
    per mart, each with the build's `built_at`); the plugin plugins/personas_publish.py does
    the file-system part (a fresh folder, flush, rename, the `current` symlink). -#}
{% macro publish_marts(results=none) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set publish_dir = env_var('PERSONAS_PUBLISH_DIR', 'published') | replace("'", "''") -%}
    {%- if target.type != 'duckdb' or not var('publish', true) -%}{{ return('') }}{%- endif -%}
    {%- if results is not none and flags.WHICH != 'build' -%}{{ return('') }}{%- endif -%}

    {%- set failed = personas.failed_nodes(results or []) -%}
    {%- if failed -%}
        {{ log("Not published: " ~ failed | length ~ " node(s) failed (" ~ failed[:5] | join(', ')
            ~ (", ..." if failed | length > 5 else "") ~ "); " ~ publish_dir
            ~ "/ still holds the previous build.", info=true) }}
        {{ return('') }}
    {%- endif -%}

    {%- set marts = personas.published_marts() -%}
    {#- information_schema, not adapter.get_relation: that would open a transaction (see run_autocommit). -#}
    {%- set existing = personas.run_autocommit(
        "select table_schema || '.' || table_name from information_schema.tables where table_catalog = current_database()"
    ).columns[0].values() -%}
    {%- set missing = [] -%}
    {%- for mart in marts if (mart.schema ~ '.' ~ mart.identifier) not in existing -%}
        {%- do missing.append(mart.identifier) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ log("Not published: " ~ missing | length ~ " mart(s) were never built (" ~ missing[:5] | join(', ')
            ~ (", ..." if missing | length > 5 else "") ~ "); run a full `dbt build` first.", info=true) }}
        {{ return('') }}
    {%- endif -%}

    {%- set built_at = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- set build_id = run_started_at.strftime('%Y%m%dT%H%M%S%fZ') ~ '-' ~ invocation_id[:8] -%}
    {%- set folder = personas.run_autocommit("select personas_publish_prepare('" ~ publish_dir ~ "', '" ~ build_id ~ "')").columns[0].values()[0] -%}
    {%- set configured_as_of = var('as_of_date', none) -%}
    {%- if configured_as_of is none or configured_as_of | string | trim == '' -%}
        {%- set as_of_date = personas.run_autocommit("select cast(as_of_date as varchar) from " ~ personas.published_as_of_relation()).columns[0].values()[0] -%}
    {%- else -%}
        {%- set as_of_date = personas.validated_date_var('as_of_date', configured_as_of) -%}
    {%- endif -%}

    {%- do personas.run_autocommit("attach '" ~ folder ~ "/personas.duckdb' as personas_published") -%}
    {%- set row_counts = {} -%}
    {%- do personas.run_autocommit("create schema personas_published.marts") -%}
    {%- for mart in marts -%}
        {%- set published = "personas_published.marts." ~ adapter.quote(mart.identifier) -%}
        {%- do personas.run_autocommit(
            "create table " ~ published ~ " as select *, cast('" ~ built_at ~ "' as timestamp) as built_at from " ~ mart
        ) -%}
        {#- COPY returns the number of rows it wrote: the count the manifest records. -#}
        {%- set copied = personas.run_autocommit("copy " ~ published ~ " to '" ~ folder ~ "/parquet/" ~ mart.identifier ~ ".parquet' (format parquet)") -%}
        {%- do row_counts.update({mart.identifier: {'rows': copied.columns[0].values()[0] | int}}) -%}
    {%- endfor -%}
    {%- do personas.run_autocommit("detach personas_published") -%}

    {%- set manifest = {
        'build_id': build_id,
        'built_at': run_started_at.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
        'as_of_date': as_of_date,
        'dbt_version': dbt_version,
        'dbt_invocation_id': invocation_id,
        'relations': row_counts,
    } -%}
    {%- set published_folder = personas.run_autocommit(
        "select personas_publish_commit('" ~ publish_dir ~ "', '" ~ build_id ~ "', '" ~ (tojson(manifest) | replace("'", "''")) ~ "')"
    ).columns[0].values()[0] -%}
    {{ log("Published " ~ marts | length ~ " marts to " ~ publish_dir ~ "/ (build " ~ build_id ~ ", as of "
        ~ as_of_date ~ ")", info=true) }}
    {{ return('') }}
{%- endmacro %}
