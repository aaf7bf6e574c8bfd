{#- Post-hook of the base_<entity>_rows models. On Spark an incremental run overwrites the
    partitions (key_first_day) its batch writes rows to; a partition the batch was meant to
    rewrite but left empty (its only key moved to an earlier day, or to 'unplaced') is not
    touched by a dynamic insert overwrite, and would keep that key's old rows beside its new
    ones. This drops such a partition: one that holds no row of this run and holds a key
    that this run wrote (into another partition). Other engines replace rows by key
    (delete+insert): nothing to do. `key_column`: the table's key (the id, '' when missing). -#}
{% macro drop_emptied_partitions(key_column) -%}
    {{ return(adapter.dispatch('drop_emptied_partitions', 'personas')(key_column)) }}
{%- endmacro %}

{% macro default__drop_emptied_partitions(key_column) -%}
{%- endmacro %}

{#- Spark: `alter table ... drop partition`, the only way to empty a partition of a Parquet table. -#}
{% macro spark__drop_emptied_partitions(key_column) -%}
    {%- if execute and is_incremental() -%}
        {%- set this_run = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S") ~ "' as timestamp)" -%}
        {%- set query -%}
            with written_keys as (
                select distinct {{ key_column }} as written_key from {{ this }} where loaded_at = {{ this_run }}
            ),

            partitions as (
                select
                    this_table.key_first_day,
                    max(case when this_table.loaded_at = {{ this_run }} then 1 else 0 end) as was_written,
                    max(case when written_keys.written_key is not null then 1 else 0 end) as holds_written_key
                from {{ this }} as this_table
                left join written_keys
                    on this_table.{{ key_column }} = written_keys.written_key
                group by this_table.key_first_day
            )

            select key_first_day from partitions
            where was_written = 0 and holds_written_key = 1
            order by key_first_day
        {%- endset -%}
        {%- set emptied = run_query(query).columns[0].values() | list -%}
        {%- if emptied -%}
            {%- do log(this ~ ": dropping partition(s) left empty by this run: " ~ emptied | join(', '), info=true) -%}
            {%- set specs = [] -%}
            {%- for day in emptied -%}
                {%- do specs.append("partition (key_first_day = '" ~ day | replace("\\", "\\\\") | replace("'", "\\'") ~ "')") -%}
            {%- endfor -%}
            {%- do run_query("alter table " ~ this ~ " drop if exists " ~ specs | join(', ')) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
